from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from dblood.core.permissions import IsBloodBankStaff, IsDonor
from dblood.donors.selectors import donor_eligibility
from dblood.donors.services import donor_create_for_user

from . import appointments as services
from .ics import appointment_ics
from .models import Appointment
from .permissions import is_organiser_staff
from .selectors import appointments_visible_to
from .serializers import (
    AnswersSerializer,
    AppointmentCreateSerializer,
    AppointmentQuerySerializer,
    AppointmentRescheduleSerializer,
    AppointmentSerializer,
    CheckInSerializer,
)


@extend_schema(tags=["appointments"])
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appointments: a donor's own; staff see those at drives their blood bank organises.
    Filter with `date`, `drive`, `status`."""

    permission_classes = [IsAuthenticated]
    serializer_class = AppointmentSerializer

    def get_permissions(self):
        if self.action in ("create", "reschedule", "questionnaire"):
            return [IsDonor()]
        if self.action in ("check_in", "no_show"):
            return [IsBloodBankStaff()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appointment.objects.none()
        appointments = appointments_visible_to(self.request.user)
        if self.action == "list":
            params = AppointmentQuerySerializer(data=self.request.query_params.dict())
            params.is_valid(raise_exception=True)
            filters = params.validated_data
            if "date" in filters:
                appointments = appointments.filter(date=filters["date"])
            if "drive" in filters:
                appointments = appointments.filter(slot__drive_id=filters["drive"])
            if "status" in filters:
                appointments = appointments.filter(status=filters["status"])
            appointments = appointments.order_by("-date", "slot__starts_at", "id")
        return appointments

    @extend_schema(parameters=[AppointmentQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _render(self, appointment, http_status=status.HTTP_200_OK):
        appointment = appointments_visible_to(self.request.user).get(pk=appointment.pk)
        return Response(AppointmentSerializer(appointment).data, status=http_status)

    @extend_schema(request=AppointmentCreateSerializer, responses={201: AppointmentSerializer})
    def create(self, request):
        """Book a slot. 409 when the slot is full, you already have an appointment that day, or you
        are not eligible on that date for that donation type (`reasons` lists why)."""
        serializer = AppointmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        donor = donor_create_for_user(user=request.user)
        appointment = services.appointment_book(
            donor=donor,
            slot_id=serializer.validated_data["slot"],
            donation_type=serializer.validated_data["donation_type"],
            replacement_code=serializer.validated_data.get("replacement_code") or None,
        )
        # Rendered from what the booking already read (the slot with its drive, this donor): no read back.
        donor.user = request.user
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel: a donor until APPOINTMENT_CHANGE_CUTOFF_HOURS before the slot; organiser staff any time."""
        appointment = self.get_object()
        user = request.user
        as_staff = user.is_blood_bank_staff or user.is_admin
        if as_staff and not is_organiser_staff(user, appointment.slot.drive):
            raise PermissionDenied()
        return self._render(services.appointment_cancel(appointment=appointment, as_staff=as_staff))

    @extend_schema(request=AppointmentRescheduleSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move to another slot (until the cutoff); returns the new appointment."""
        appointment = self.get_object()
        serializer = AppointmentRescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.appointment_reschedule(
            appointment=appointment,
            slot_id=serializer.validated_data["slot"],
            donation_type=serializer.validated_data.get("donation_type"),
        )
        return self._render(new)

    @extend_schema(request=None, responses={200: CheckInSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """The donor arrived (on the drive's day). The response shows their questionnaire flags and
        whether they are eligible today (`eligible_today`, `reasons_today`)."""
        appointment = self.get_object()
        appointment = services.appointment_check_in(appointment=appointment, by=request.user)
        appointment = appointments_visible_to(request.user).get(pk=appointment.pk)
        verdict = donor_eligibility(donor=appointment.donor, on=appointment.date).for_type(appointment.donation_type)
        return Response(CheckInSerializer(appointment, context={"verdict": verdict}).data)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """The donor did not come (after the slot started)."""
        appointment = self.get_object()
        return self._render(services.appointment_no_show(appointment=appointment))

    @extend_schema(request=AnswersSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def questionnaire(self, request, pk=None):
        """Answer the current pre-donation questionnaire (`version`, `answers`: code -> true/false).
        Answers that imply a deferral come back in `flags`; staff see them at check-in."""
        appointment = self.get_object()
        serializer = AnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.appointment_answer(appointment=appointment, **serializer.validated_data))

    @extend_schema(
        request=None,
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar event.")},
    )
    @action(detail=True, methods=["get"])
    def ics(self, request, pk=None):
        """The appointment as an .ics calendar event."""
        appointment = self.get_object()
        response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dblood-appointment-{appointment.pk}.ics"'
        return response
