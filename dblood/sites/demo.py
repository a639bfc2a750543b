"""Demo blood banks and hospitals across provinces, and their staff."""

from dblood.accounts.demo import ensure_user
from dblood.accounts.models import Membership, User
from dblood.core.demodata import DEMO_PASSWORD

from .models import ProcessingFee, Site

DEMO_FEES = {
    "udd-jakarta": {"WB": 360000, "PRC": 360000, "TC": 400000, "FFP": 360000, "AHF": 490000},
    "udd-bandung": {"WB": 360000, "PRC": 380000, "TC": 420000, "FFP": 380000},
}

SITES = [
    # code, name, kind, city, province, lat, lon
    ("udd-jakarta", "UDD PMI Provinsi DKI Jakarta", "blood_bank", "Jakarta Pusat", "DKI Jakarta", -6.1862, 106.8341),
    ("udd-bandung", "UDD PMI Kota Bandung", "blood_bank", "Bandung", "Jawa Barat", -6.9175, 107.6191),
    ("udd-surabaya", "UDD PMI Kota Surabaya", "blood_bank", "Surabaya", "Jawa Timur", -7.2756, 112.7508),
    ("udd-yogyakarta", "UDD PMI Kota Yogyakarta", "blood_bank", "Yogyakarta", "DI Yogyakarta", -7.7956, 110.3695),
    ("udd-medan", "UDD PMI Kota Medan", "blood_bank", "Medan", "Sumatera Utara", 3.5952, 98.6722),
    ("udd-makassar", "UDD PMI Kota Makassar", "blood_bank", "Makassar", "Sulawesi Selatan", -5.1477, 119.4327),
    ("rs-cipto", "RSUPN Dr. Cipto Mangunkusumo", "hospital", "Jakarta Pusat", "DKI Jakarta", -6.1963, 106.8469),
    ("rs-hasan-sadikin", "RSUP Dr. Hasan Sadikin", "hospital", "Bandung", "Jawa Barat", -6.8969, 107.5985),
    ("rs-soetomo", "RSUD Dr. Soetomo", "hospital", "Surabaya", "Jawa Timur", -7.2683, 112.7578),
]
HOURS = {
    "mon": "08:00-20:00",
    "tue": "08:00-20:00",
    "wed": "08:00-20:00",
    "thu": "08:00-20:00",
    "fri": "08:00-20:00",
    "sat": "08:00-14:00",
    "sun": "closed",
}


def load():
    sites = {}
    for code, name, kind, city, province, lat, lon in SITES:
        sites[code], _ = Site.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                kind=kind,
                city=city,
                province=province,
                latitude=lat,
                longitude=lon,
                address=f"{name}, {city}",
                phone="+62 21 000 0000",
                opening_hours=HOURS,
            ),
        )
    # Hospitals verified by their local blood bank may start call-outs.
    for hospital, bank in [("rs-cipto", "udd-jakarta"), ("rs-hasan-sadikin", "udd-bandung")]:
        site = sites[hospital]
        if site.verified_by_id is None:
            site.verified_by = sites[bank]
            site.save(update_fields=["verified_by"])

    # Published processing fees (BPPD), in the range of recent years (Rp 360,000-490,000 a bag).
    for code, fees in DEMO_FEES.items():
        for component, amount in fees.items():
            ProcessingFee.objects.get_or_create(site=sites[code], component=component, defaults={"amount_idr": amount})

    staff = ensure_user("staff@dblood.local", "Budi Staff UDD Jakarta", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.get_or_create(user=staff, site=sites["udd-jakarta"])
    staff_bdg = ensure_user("staff.bandung@dblood.local", "Sari Staff UDD Bandung", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.get_or_create(user=staff_bdg, site=sites["udd-bandung"])
    hospital = ensure_user("hospital@dblood.local", "Rina RSCM Blood Bank", User.Role.HOSPITAL_STAFF)
    Membership.objects.get_or_create(user=hospital, site=sites["rs-cipto"])
    return [
        ("blood-bank staff", staff.email, DEMO_PASSWORD),
        ("blood-bank staff", staff_bdg.email, DEMO_PASSWORD),
        ("hospital staff", hospital.email, DEMO_PASSWORD),
    ]
