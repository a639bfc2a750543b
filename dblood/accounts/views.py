from django.contrib import admin
from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services, signup
from .addresses import address_remember
from .models import ApiToken, User
from .serializers import (
    DetailSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RegisterSerializer,
    SignupConfirmSerializer,
    TokenSerializer,
    UserSerializer,
)
from .throttles import LoginEmailThrottle, LoginIPThrottle, PasswordResetThrottle


def _token_response(user: User, http_status: int) -> Response:
    key, token = services.token_create(user=user)
    body = TokenSerializer({"token": key, "expires_at": token.expires_at, "user": user}).data
    return Response(body, status=http_status)


class RegisterView(APIView):
    """A donor signs up: always 202 with the same body, whether or not the email has an account
    (the e-mail sent says which, to the address's owner only). Field errors are still 400s."""

    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=RegisterSerializer, responses={202: DetailSerializer}, tags=["auth"])
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signup.user_register(**serializer.validated_data)
        return Response({"detail": _("Check your email to finish signing up.")}, status=status.HTTP_202_ACCEPTED)


class RegisterConfirmView(APIView):
    """The link from the sign-up e-mail opens the account and signs its owner in (a token, as login)."""

    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=SignupConfirmSerializer, responses={201: TokenSerializer}, tags=["auth"])
    def post(self, request):
        serializer = SignupConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signup.signup_confirm(**serializer.validated_data)
        address_remember(user=user, request=request)
        return _token_response(user, status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [LoginEmailThrottle, LoginIPThrottle]

    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer}, tags=["auth"])
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # authenticate() hashes a dummy password for unknown emails, so both failures take as long.
        user = authenticate(
            request, username=serializer.validated_data["email"].lower(), password=serializer.validated_data["password"]
        )
        if user is None:
            raise ValidationError({"non_field_errors": [_("Unable to log in with this email and password.")]})
        address_remember(user=user, request=request)
        return _token_response(user, status.HTTP_200_OK)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user's account."""

    permission_classes = [IsAuthenticated]
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return User.objects.prefetch_related("memberships__site").get(pk=self.request.user.pk)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None}, tags=["auth"])
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        keep = request.auth if isinstance(request.auth, ApiToken) else None
        services.password_change(user=request.user, keep_token=keep, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    """Always 202, whether or not the email has an account."""

    permission_classes = [AllowAny]
    throttle_classes = [PasswordResetThrottle]

    @extend_schema(request=PasswordResetSerializer, responses={202: None}, tags=["auth"])
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PasswordResetThrottle]

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None}, tags=["auth"])
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


def admin_login(request, extra_context=None):
    """The admin's sign-in, with the api login's limits: the same per-account and per-address
    buckets, so guesses cannot be split between the two doors. A refused POST is a 429 with
    Retry-After, and the password is not checked."""
    if request.method == "POST":
        for throttle in (LoginEmailThrottle(), LoginIPThrottle()):
            if not throttle.allow_request(request, None):
                wait = throttle.wait() or 60
                response = HttpResponse(
                    _("Too many sign-in attempts. Try again in %(seconds)s seconds.") % {"seconds": wait},
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
    response = admin.site.login(request, extra_context)
    if request.method == "POST" and request.user.is_authenticated:
        address_remember(user=request.user, request=request)
    return response
