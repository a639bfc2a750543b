"""Scanners read the labels back: each label the api serves is rasterised (PDFium), every barcode
on it decoded by zbar, and what zbar reads parsed by the api's own scan parser back to the unit's
DIN, group, product and expiry."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dblood.core.blood import Component
from dblood.core.isbt import check_value, parse_scan
from dblood.inventory import components
from dblood.inventory.tests.factories import make_unit
from testing.scanner import decode, rasterise

pytestmark = pytest.mark.django_db

GROUPS = [(abo, rhd) for abo in ("O", "A", "B", "AB") for rhd in ("+", "-")]
README_IMAGE = Path(__file__).resolve().parents[3] / "docs" / "label.png"


def _label(client, unit) -> bytes:
    response = client.get(f"/api/v1/units/{unit.pk}/label.pdf")
    assert response.status_code == 200, response.content
    return response.content


def _read_back(pdf: bytes, *, dpi: int = 300):
    symbols = decode(rasterise(pdf, dpi=dpi))
    assert [kind for kind, _ in symbols] == ["CODE128"] * 4, symbols
    # Quadrant order, as a scanner reads them: DIN, group, then product, expiry.
    assert [data[:2] for _, data in symbols][1:] == ["=%", "=<", "&>"], symbols
    for _, data in symbols:
        parse_scan(data)  # each barcode alone is one well-formed data structure
    return parse_scan("".join(data for _, data in symbols))


def _expected_local(unit):
    return unit.expires_at.astimezone(ZoneInfo(unit.donation.site.timezone)).replace(
        tzinfo=None, second=0, microsecond=0
    )


@pytest.mark.parametrize(("abo", "rhd"), GROUPS)
def test_every_group_reads_back_from_the_printed_label(api, staff_a, bank_a, abo, rhd):
    unit = make_unit(site=bank_a, abo=abo, rhd=rhd, product_code=components.product_code("PRC"))
    scan = _read_back(_label(api(staff_a), unit))
    assert (scan.din, scan.abo, scan.rhd) == (unit.donation.din, abo, rhd)
    assert scan.flags == f"{check_value(unit.donation.din) + 60:02d}"  # the flags carry the check value
    assert scan.product_code == unit.product_code
    assert scan.expires == _expected_local(unit)


@pytest.mark.parametrize("component", Component.values)
def test_every_component_reads_back_at_a_scanners_resolution(api, staff_a, bank_a, component):
    """At 200 dpi too: the density of a cheap thermal print or a phone camera's frame."""
    kind = components.kind(component)
    assert kind is not None and kind.isbt_product_codes, f"{component} has no product code in the seeded table"
    unit = make_unit(site=bank_a, component=component, product_code=components.product_code(component))
    pdf = _label(api(staff_a), unit)
    for dpi in (200, 600):
        scan = _read_back(pdf, dpi=dpi)
        assert (scan.din, scan.product_code, scan.expires) == (
            unit.donation.din,
            unit.product_code,
            _expected_local(unit),
        )


def test_a_quarantined_units_label_reads_back_the_same(api, staff_a, bank_a):
    unit = make_unit(site=bank_a, state="quarantined", abo="B", rhd="-", product_code=components.product_code("FFP"))
    scan = _read_back(_label(api(staff_a), unit))
    assert (scan.din, scan.abo, scan.rhd, scan.product_code) == (unit.donation.din, "B", "-", unit.product_code)


def test_the_readme_label_image_is_a_label_zbar_reads():
    """docs/label.png (scripts/label_image.py) is a real, readable label, not a drawing of one."""
    from PIL import Image

    symbols = decode(Image.open(README_IMAGE).convert("L"))
    scan = parse_scan("".join(data for _, data in symbols))
    assert len(symbols) == 4 and scan.din and scan.abo and scan.product_code and scan.expires
