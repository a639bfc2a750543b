"""Demo donors of all eight groups across provinces, with histories that exercise the rules.

Ages and dates are relative to today, so the situations stay true whenever `demo` runs:
eligible again, inside the 60-day whole-blood interval, after apheresis, deferred (temporary and
permanent), at the yearly cap, too young, first-timer.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from dblood.accounts.demo import ensure_user
from dblood.accounts.models import User
from dblood.core.blood import DonationType
from dblood.core.demodata import DEMO_PASSWORD
from dblood.sites.models import Site

from .models import Deferral, Donor
from .services import deferral_record, donor_create_for_user

WB, PLT = DonationType.WHOLE_BLOOD, DonationType.APHERESIS_PLATELETS

# email, name, group, sex, age, kg, bank code (home city), [(days ago, type)], deferral (code, days ago)
DONORS = [
    # The demo donor's donations (and where they went) come from dblood.inventory.demo.
    ("donor@dblood.local", "Dewi Donor", "O+", "F", 32, 58, "udd-jakarta", [], None),
    ("andi@dblood.local", "Andi Pratama", "A-", "M", 28, 70, "udd-bandung", [(30, WB)], None),
    ("budi@dblood.local", "Budi Santoso", "B+", "M", 41, 80, "udd-surabaya", [(200, WB)], ("tattoo-piercing", 60)),
    ("citra@dblood.local", "Citra Lestari", "B-", "F", 35, 55, "udd-yogyakarta", [(10, PLT), (40, PLT)], None),
    ("dimas@dblood.local", "Dimas Siregar", "AB+", "M", 50, 75, "udd-medan", [(400, WB)], ("bleeding-disorder", 100)),
    ("eka@dblood.local", "Eka Putri", "AB-", "F", 19, 50, "udd-makassar", [], None),
    (
        "fajar@dblood.local",
        "Fajar Hidayat",
        "O-",
        "M",
        38,
        68,
        "udd-jakarta",
        [(20, WB), (85, WB), (150, WB), (215, WB), (280, WB)],
        None,
    ),
    ("gita@dblood.local", "Gita Maharani", "A+", "F", 24, 52, "udd-bandung", [(120, WB)], ("low-hemoglobin", 3)),
    ("hendra@dblood.local", "Hendra Wijaya", "O+", "M", 62, 72, "udd-surabaya", [(90, WB), (400, WB)], None),
    ("intan@dblood.local", "Intan Sari", "B+", "F", 16, 48, "udd-yogyakarta", [], None),
    ("joko@dblood.local", "Joko Susilo", "A+", "M", 45, 44, "udd-medan", [], None),
]


def _birth_date(age: int, today: date) -> date:
    return today.replace(year=today.year - age) - timedelta(days=40)


def _history(donor: Donor, site: Site, visits, today: date) -> None:
    from dblood.donations.models import Donation

    if Donation.objects.filter(donor=donor).exists():
        return
    for days_ago, kind in visits:
        collected = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(9, 30)))
        Donation.objects.create(
            donor=donor,
            site=site,
            donation_type=kind,
            bag_type="CPDA-1 350 mL" if kind == WB else "apheresis kit",
            volume_ml=350 if kind == WB else 250,
            hemoglobin_g_dl=Decimal("13.8"),
            bp_systolic=118,
            bp_diastolic=78,
            pulse=72,
            temperature_c=Decimal("36.8"),
            outcome=Donation.Outcome.COMPLETED,
            status=Donation.Status.RELEASED,
            collected_at=collected,
            released_at=collected + timedelta(days=1),
        )


def load():
    today = timezone.localdate()
    sites = {site.code: site for site in Site.objects.filter(kind=Site.Kind.BLOOD_BANK)}
    logins = []
    for email, name, group, sex, age, kg, bank, visits, deferral in DONORS:
        user = ensure_user(email, name, User.Role.DONOR)
        donor = donor_create_for_user(user=user)
        site = sites.get(bank)
        if not donor.birth_date:
            donor.abo, donor.rhd = group[:-1], group[-1]
            donor.group_confirmed = bool(visits) or email == "donor@dblood.local"
            donor.sex = sex
            donor.birth_date = _birth_date(age, today)
            donor.weight_kg = Decimal(kg)
            donor.phone = "+62 812 0000 0000"
            if site is not None:
                donor.city, donor.province = site.city, site.province
                donor.latitude, donor.longitude = site.latitude + 0.02, site.longitude - 0.02
            donor.notify_channels = ["in_app", "email"]
            donor.save()
        if site is not None:
            _history(donor, site, visits, today)
        if deferral and not Deferral.objects.filter(donor=donor).exists():
            code, days_ago = deferral
            deferral_record(donor=donor, reason_code=code, starts_on=today - timedelta(days=days_ago))
        if email != "donor@dblood.local":
            logins.append((f"donor {group}", email, DEMO_PASSWORD))
    return logins[:2]
