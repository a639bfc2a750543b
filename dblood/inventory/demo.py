"""Demo stock: a month of collections at every demo blood bank, separated, screened and partly issued.

Realistic shape (Indonesian group mix, O the most common, RhD-negative rare), some units near
expiry, platelets always short-lived, and busy cells where demand outruns the shelf (critical).
Idempotent: it does nothing once the demo donations exist. Units are written in their final
states directly, with their audit events, as a history import would.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from dblood.accounts.models import User
from dblood.donations import din as isbt
from dblood.donations.models import Donation, ScreeningResult
from dblood.donations.release import required_tests
from dblood.donors.models import Donor
from dblood.sites.models import Site

from . import stock
from .components import default_volume_ml, expiry, product_code
from .models import BloodUnit, UnitEvent

S = BloodUnit.State
DEMO_PREFIX = "DM"  # donor numbers of the demo donors made here
# Donations over the last 40 days per blood bank, and how hard its hospitals draw on it.
BANKS = {
    "udd-jakarta": (110, 0.9),
    "udd-bandung": (70, 0.8),
    "udd-surabaya": (80, 0.85),
    "udd-yogyakarta": (45, 0.6),
    "udd-medan": (50, 0.93),
    "udd-makassar": (22, 0.97),
}
# PMI's reported ABO mix (O ~ 40 %, B ~ 28 %, A ~ 25 %, AB ~ 7 %); RhD-negative under 1 %, more here for the demo.
GROUPS = [("O", 40), ("B", 28), ("A", 25), ("AB", 7)]
RHD_NEGATIVE = 0.03


def _donors(count: int, rng: random.Random) -> list[Donor]:
    existing = list(Donor.objects.filter(donor_number__startswith=DEMO_PREFIX).order_by("donor_number"))
    for n in range(len(existing), count):
        user = User(email=f"demo.donor{n:04d}@dblood.local", full_name=f"Demo Donor {n:04d}", role=User.Role.DONOR)
        user.set_unusable_password()
        user.save()
        abo = rng.choices([g for g, _ in GROUPS], weights=[w for _, w in GROUPS])[0]
        rhd = "-" if rng.random() < RHD_NEGATIVE else "+"
        existing.append(
            Donor.objects.create(
                user=user,
                donor_number=f"{DEMO_PREFIX}{n:08d}",
                abo=abo,
                rhd=rhd,
                group_confirmed=True,
                sex=rng.choice("FM"),
                birth_date=date(rng.randint(1968, 2006), rng.randint(1, 12), rng.randint(1, 28)),
                weight_kg=rng.randint(50, 85),
            )
        )
    return existing


def _collect(*, donor, site, collected_at, rng, hospitals, demand, units, now):
    din = isbt.din_allocate(year=timezone.localtime(collected_at).year)
    in_testing = collected_at > now - timedelta(days=1)
    donation = Donation.objects.create(
        donor=donor,
        site=site,
        donation_type="whole_blood",
        bag_type="Triple CPDA-1 450 mL",
        volume_ml=450,
        hemoglobin_g_dl=round(rng.uniform(12.6, 16.2), 1),
        bp_systolic=rng.randint(105, 140),
        bp_diastolic=rng.randint(70, 90),
        pulse=rng.randint(60, 90),
        temperature_c=round(rng.uniform(36.6, 37.2), 1),
        din=din,
        status=Donation.Status.IN_TESTING if in_testing else Donation.Status.RELEASED,
        collected_at=collected_at,
        released_at=None if in_testing else collected_at + timedelta(hours=20),
        typed_abo="" if in_testing else donor.abo,
        typed_rhd="" if in_testing else donor.rhd,
        typed_at=None if in_testing else collected_at + timedelta(hours=6),
    )
    components = ["PRC", "FFP"] + (["TC"] if rng.random() < 0.35 else [])
    for component in components:
        expires_at = expiry(component=component, collected_at=collected_at)
        unit = BloodUnit(
            donation=donation,
            component=component,
            product_code=product_code(component),
            abo=donor.abo,
            rhd=donor.rhd,
            volume_ml=default_volume_ml(component),
            site=site,
            expires_at=expires_at,
        )
        history = [("", S.QUARANTINED, collected_at)]
        if not in_testing:
            released = collected_at + timedelta(hours=20)
            history.append((S.QUARANTINED, S.AVAILABLE, released))
            # Red cells and platelets are drawn on much more than frozen plasma.
            draw = demand * {"PRC": 1.0, "TC": 0.8, "FFP": 0.15}[component]
            if rng.random() < draw:
                issued_at = released + (min(expires_at, now) - released) * rng.uniform(0.02, 0.45)
                unit.issued_to = rng.choice(hospitals)
                unit.issued_at = issued_at
                history.append((S.AVAILABLE, S.RESERVED, issued_at - timedelta(hours=2)))
                history.append((S.RESERVED, S.ISSUED, issued_at))
            elif expires_at <= now:
                history.append((S.AVAILABLE, S.EXPIRED, expires_at + timedelta(hours=1)))
        unit.state = history[-1][1]
        unit.state_changed_at = history[-1][2]
        units.append((unit, history))


def load():
    if Donation.objects.filter(donor__donor_number__startswith=DEMO_PREFIX).exists():
        return []
    rng = random.Random(2026)  # the same demo every time
    now = timezone.now()
    banks = {s.code: s for s in Site.objects.filter(code__in=BANKS)}
    hospitals = list(Site.objects.filter(kind=Site.Kind.HOSPITAL)) or list(banks.values())
    donors = _donors(sum(count for count, _ in BANKS.values()), rng)
    units: list = []
    donor_iter = iter(donors)
    for code, (count, demand) in BANKS.items():
        site = banks.get(code)
        if site is None:
            continue
        for _ in range(count):
            collected_at = now - timedelta(days=rng.uniform(0.1, 40))
            _collect(
                donor=next(donor_iter),
                site=site,
                collected_at=collected_at,
                rng=rng,
                hospitals=hospitals,
                demand=demand,
                units=units,
                now=now,
            )
    BloodUnit.objects.bulk_create([unit for unit, _ in units])
    events = [
        UnitEvent(unit=unit, from_state=a, to_state=b, reason="Demo history.") for unit, h in units for a, b, _ in h
    ]
    UnitEvent.objects.bulk_create(events)
    # auto_now_add stamped every event "now"; put them at their real times (issues drive demand).
    stamps = [at for _, h in units for _, _, at in h]
    for event, at in zip(events, stamps, strict=True):
        event.at = at
    UnitEvent.objects.bulk_update(events, ["at"], batch_size=500)
    _donor_story()
    _screened(Donation.objects.filter(status=Donation.Status.RELEASED, screening_results__isnull=True))
    labelled(
        BloodUnit.objects.exclude(state__in=[S.QUARANTINED, S.UNSAFE])
        .filter(expires_at__gt=timezone.now())
        .select_related("donation__site")
        .order_by("pk")
    )
    _transfers_and_discards(banks)
    stock.invalidate()
    return []


def _screened(donations) -> None:
    """Every required screen non-reactive for each released donation (as the lab recorded them)."""
    tests = required_tests()
    ScreeningResult.objects.bulk_create(
        [ScreeningResult(donation=d, test=test, attempt=1, reactive=False) for d in donations for test in tests]
    )


def labelled(units) -> None:
    """Record that these in-date units (donation and its site loaded) carry their final label,
    printed and checked at the bench (`verification`): what let them into stock. For units imported
    in their final states (the demo's history, tests' stock); units still in testing await theirs
    on the worklist."""
    from .labels import label_for
    from .models import LabelPrint, LabelVerification
    from .verification import printed_scans

    units = list(units)
    prints = LabelPrint.objects.bulk_create(
        [
            LabelPrint(
                unit=unit, format=LabelPrint.Format.ZPL, kind=LabelPrint.Kind.FIRST, content=label_for(unit).content()
            )
            for unit in units
        ]
    )
    checks = []
    for printed in prints:
        scans = printed_scans(printed)
        checks.append(
            LabelVerification(
                unit_id=printed.unit_id,
                label_print=printed,
                din_scan=scans["din"],
                product_scan=scans["product_code"],
                matched=True,
            )
        )
    LabelVerification.objects.bulk_create(checks)


def _donor_story():
    """The demo donor (donor@dblood.local) gave twice; one bag went to RSCM ("where did my blood go")."""
    user = User.objects.filter(email="donor@dblood.local").first()
    site = Site.objects.filter(code="udd-jakarta").first()
    hospital = Site.objects.filter(code="rs-cipto").first()
    if not (user and site and hospital):
        return
    donor = Donor.objects.filter(user=user).first()
    if donor is None:
        donor = Donor.objects.create(user=user, donor_number="D9000000001", abo="O", rhd="+")
    now = timezone.now()
    for days_ago, hb, issue in ((150, "13.8", True), (75, "14.1", False)):
        collected_at = now - timedelta(days=days_ago)
        donation = Donation.objects.create(
            donor=donor,
            site=site,
            donation_type="whole_blood",
            bag_type="Double CPDA-1 350 mL",
            volume_ml=350,
            hemoglobin_g_dl=hb,
            din=isbt.din_allocate(year=timezone.localtime(collected_at).year),
            status=Donation.Status.RELEASED,
            collected_at=collected_at,
            released_at=collected_at + timedelta(hours=20),
            typed_abo=donor.abo or "O",
            typed_rhd=donor.rhd or "+",
        )
        for component in ("PRC", "FFP"):
            expires_at = expiry(component=component, collected_at=collected_at)
            issued = issue and component == "PRC"
            state = S.ISSUED if issued else (S.EXPIRED if expires_at <= now else S.AVAILABLE)
            if component == "FFP" and not issue:
                state = S.ISSUED
            BloodUnit.objects.create(
                donation=donation,
                component=component,
                product_code=product_code(component),
                abo=donation.typed_abo,
                rhd=donation.typed_rhd,
                volume_ml=default_volume_ml(component),
                site=site,
                state=state,
                expires_at=expires_at,
                issued_to=hospital if state == S.ISSUED else None,
                issued_at=collected_at + timedelta(days=6) if state == S.ISSUED else None,
            )


def _transfers_and_discards(banks: dict) -> None:
    """Jakarta helps Makassar out (two units on the road, one booked in); a few bags discarded."""
    from .services import unit_discard
    from .transfers import transfer_receive, transfer_send
    from .verification import printed_scans

    jakarta, makassar = banks.get("udd-jakarta"), banks.get("udd-makassar")
    if jakarta and makassar:
        spare = BloodUnit.objects.filter(site=jakarta, state=S.AVAILABLE, component="PRC", abo="O").order_by(
            "-expires_at"
        )[:3]
        transfers = [transfer_send(unit=unit, to_site=makassar) for unit in spare]
        if transfers:
            scans = printed_scans(transfers[0].unit.label_prints.get())  # the clerk at Makassar scans the bag
            transfer_receive(
                transfer=transfers[0],
                din_scan=scans["din"],
                product_scan=scans["product_code"],
                temperature_c=Decimal("4.5"),
            )
    reasons = ["Bag leaking at the seal", "Clots seen", "Lipemic plasma", "Haemolysis"]
    candidates = BloodUnit.objects.filter(state=S.AVAILABLE, component="FFP").order_by("id")[: len(reasons)]
    for unit, reason in zip(candidates, reasons, strict=False):
        unit_discard(unit=unit, reason=reason)
