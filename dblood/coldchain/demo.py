"""Demo cold chain: at every demo blood bank a fridge, a freezer and a platelet agitator, a day of
readings every four hours, and the bank's units in custody placed where their component is kept.
At UDD Bandung the agitator read 27 °C an hour ago: an open excursion holds its platelets, so
`make run` shows the whole feature. Idempotent: nothing happens once the demo locations exist."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from dblood.inventory.demo import BANKS
from dblood.inventory.models import BloodUnit
from dblood.sites.models import Site

from .models import StorageLocation, TemperatureReading, UnitMove
from .services import IN_STORAGE, reading_record, storage_fits

K = StorageLocation.Kind
# code, name, kind, range, the reading it usually shows
LOCATIONS = [
    ("K1", "Blood bank refrigerator 1", K.FRIDGE, ("2", "6"), Decimal("4.2")),
    ("F1", "Plasma freezer 1", K.FREEZER, ("-40", "-18"), Decimal("-28.5")),
    ("A1", "Platelet agitator 1", K.AGITATOR, ("20", "24"), Decimal("22.1")),
]
EXCURSION_BANK = "udd-bandung"


def load():
    banks = list(Site.objects.filter(code__in=BANKS).order_by("code"))
    if not banks or StorageLocation.objects.filter(site__in=banks).exists():
        return []
    now = timezone.now().replace(second=0, microsecond=0)
    for bank in banks:
        places = [
            StorageLocation.objects.create(
                site=bank, code=code, name=name, kind=kind, min_c=Decimal(low), max_c=Decimal(high)
            )
            for code, name, kind, (low, high), _usual in LOCATIONS
        ]
        TemperatureReading.objects.bulk_create(
            TemperatureReading(
                location=place,
                taken_at=now - timedelta(hours=4 * step + 1),
                temperature_c=usual + Decimal(step % 3) / 10,
                in_range=True,
                source=TemperatureReading.Source.DEVICE if place.kind != K.FRIDGE else TemperatureReading.Source.STAFF,
            )
            for place, (*_rest, usual) in zip(places, LOCATIONS, strict=True)
            for step in range(6)
        )
        _place_units(bank, places)
        if bank.code == EXCURSION_BANK:
            agitator = places[2]
            reading_record(
                location=agitator, taken_at=now - timedelta(minutes=50), temperature_c=Decimal("27.0"), source="device"
            )
    return []


def _place_units(bank: Site, places: list[StorageLocation]) -> None:
    """Each unit in the bank's custody into the first location that suits its component, as a history
    import would: one UPDATE per location, and its moves recorded."""
    units = list(BloodUnit.objects.filter(site=bank, state__in=IN_STORAGE).values_list("pk", "component"))
    by_place: dict[int, list[int]] = {}
    for pk, component in units:
        place = next((p for p in places if storage_fits(component=component, location=p)), None)
        if place is not None:
            by_place.setdefault(place.pk, []).append(pk)
    for place_id, ids in by_place.items():
        BloodUnit.objects.filter(pk__in=ids).update(storage_location_id=place_id)
        UnitMove.objects.bulk_create(UnitMove(unit_id=pk, to_location_id=place_id) for pk in ids)
