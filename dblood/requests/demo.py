"""Demo hospital requests in every state, an emergency call-out with answers, and the demo donor's inbox.

Built through the real services (reserve, issue, cancel, outcome) from the inventory demo's stock
at UDD Jakarta, requested by RSCM. Idempotent: nothing happens once the demo requests exist.
"""

from datetime import date, timedelta

from django.utils import timezone

from dblood.accounts.demo import ensure_user
from dblood.accounts.models import User
from dblood.core.blood import Component
from dblood.core.errors import Conflict
from dblood.donors.models import Donor
from dblood.inventory.models import BloodUnit
from dblood.notifications.messages import notify
from dblood.notifications.models import Notification
from dblood.sites.models import Site

from . import services
from .callouts import call_out_answer, call_out_start
from .models import BloodRequest, CallOutRecipient
from .selectors import allocation_proposal

DEMO_NOTE = "[demo]"
# name, answer, shares contact, km north of the blood bank
CALL_OUT_DONORS = [
    ("Agus Setiawan", "coming", True, 1.5),
    ("Putri Lestari", "coming", False, 3.0),
    ("Hendra Gunawan", "cant", False, 4.2),
    ("Wulan Sari", None, False, 6.0),
]


def _request(hospital, bank, nurse, *, abo, rhd, units, urgency="routine", hours=8, component="PRC", note=""):
    return services.request_create(
        by=nurse,
        hospital=hospital,
        target_bank=bank,
        patient_abo=abo,
        patient_rhd=rhd,
        component=component,
        units=units,
        urgency=urgency,
        needed_by=timezone.now() + timedelta(hours=hours),
        note=f"{DEMO_NOTE} {note}".strip(),
    )


def _reserve(blood_request, staff, count):
    units = [u.pk for u in allocation_proposal(blood_request=blood_request, limit=count)]
    if units:
        services.allocation_reserve(blood_request=blood_request, unit_ids=units, by=staff)
    return units


def load():
    if BloodRequest.objects.filter(note__startswith=DEMO_NOTE).exists():
        return []
    bank = Site.objects.filter(code="udd-jakarta").first()
    hospital = Site.objects.filter(code="rs-cipto").first()
    staff = User.objects.filter(email="staff@dblood.local").first()
    nurse = User.objects.filter(email="hospital@dblood.local").first()
    if not (bank and hospital and staff and nurse):
        return []
    _request(hospital, bank, nurse, abo="O", rhd="+", units=2, note="elective surgery tomorrow", hours=30)
    _reserve(_request(hospital, bank, nurse, abo="A", rhd="+", units=4, urgency="urgent", note="GI bleed"), staff, 1)
    _reserve(_request(hospital, bank, nurse, abo="B", rhd="+", units=1, note="anaemia"), staff, 1)
    issued = _request(hospital, bank, nurse, abo="O", rhd="+", units=1, urgency="urgent", note="post-partum")
    if _reserve(issued, staff, 1):
        services.request_issue(blood_request=issued, by=staff)
    closed = _request(hospital, bank, nurse, abo="A", rhd="+", units=1, note="thalassaemia, monthly")
    if _reserve(closed, staff, 1):
        services.request_issue(blood_request=closed, by=staff)
        allocation = closed.allocations.get()
        services.allocation_record_outcome(allocation=allocation, by=nurse, transfused=True, reaction="")
    cancelled = _request(hospital, bank, nurse, abo="B", rhd="+", units=2, note="surgery postponed")
    _reserve(cancelled, staff, 1)
    services.request_cancel(blood_request=cancelled, by=nurse, reason="Surgery postponed.")
    emergency = _request(
        hospital, bank, nurse, abo="O", rhd="-", units=4, urgency="emergency", hours=4, note="trauma, O negative"
    )
    try:
        _call_out(emergency, bank, nurse)
    except Conflict:
        pass
    _inbox(bank, hospital)
    return []


def _call_out(blood_request, bank, nurse):
    """The emergency call-out: demo donors near UDD Jakarta, two coming, one can't, one silent."""
    call_out = call_out_start(blood_request=blood_request, by=nurse, radius_km=15, donors_wanted=4)
    donors = []
    for n, (name, answer, share, north_km) in enumerate(CALL_OUT_DONORS):
        email = f"callout.donor{n}@dblood.local"
        user = ensure_user(email, name, User.Role.DONOR)
        donor, _ = Donor.objects.get_or_create(
            user=user,
            defaults=dict(
                donor_number=f"CO{n:08d}",
                abo="O",
                rhd="-",
                group_confirmed=True,
                sex="M" if n % 2 else "F",
                birth_date=date(1985 + n, 5, 1),
                weight_kg=60 + n,
                phone=f"+62 812 000 00{n:02d}",
                share_contact=share,
                latitude=bank.latitude + north_km / 111.2,
                longitude=bank.longitude,
            ),
        )
        donors.append((donor, answer))
    demo_donor = Donor.objects.filter(user__email="donor@dblood.local").first()
    if demo_donor is not None:
        donors.append((demo_donor, None))
    # Written directly, as a history import would: the worker's batch has "already run".
    CallOutRecipient.objects.bulk_create(
        [CallOutRecipient(call_out=call_out, donor=donor, batch=1) for donor, _ in donors], ignore_conflicts=True
    )
    until = timezone.localtime(call_out.come_by).strftime("%Y-%m-%d %H:%M")
    for donor, answer in donors:
        notify(
            user=donor.user,
            kind=Notification.Kind.CALL_OUT,
            key=f"call_out:{call_out.pk}",
            data={"call_out": call_out.pk, "site": bank.name, "come_by": call_out.come_by.isoformat()},
            group="O-",
            place=bank.name,
            until=until,
        )
        if answer:
            call_out_answer(call_out=call_out, donor=donor, answer=answer)
    call_out.last_batch_at = timezone.now()
    call_out.save(update_fields=["last_batch_at"])


def _inbox(bank, hospital):
    """The demo donor's inbox: where their blood went, eligible again, an invitation to donate."""
    user = User.objects.filter(email="donor@dblood.local").first()
    if user is None:
        return
    today = timezone.localdate()
    for unit in BloodUnit.objects.filter(donation__donor__user=user, state="issued").select_related(
        "donation", "issued_to"
    ):
        notify(
            user=user,
            kind=Notification.Kind.UNIT_ISSUED,
            key=f"unit_issued:{unit.pk}",
            data={"donation": unit.donation_id, "unit": unit.pk, "hospital": unit.issued_to.name},
            date=timezone.localtime(unit.donation.collected_at).date().isoformat(),
            component=Component(unit.component).label,
            hospital=unit.issued_to.name,
        )
    notify(
        user=user,
        kind=Notification.Kind.ELIGIBLE_AGAIN,
        key=f"eligible_again:demo:{today.isoformat()}",
        data={"donation_type": "whole_blood"},
        date=today.isoformat(),
        donation_type="whole blood",
    )
    notify(
        user=user,
        kind=Notification.Kind.RECRUITMENT,
        key="recruitment:demo",
        data={"site": bank.pk},
        site=bank.name,
        group="O+",
        drives=f"{bank.name} ({(today + timedelta(days=3)).isoformat()} 08:00)",
    )
