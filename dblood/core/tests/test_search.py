"""Search that forgives: case, accents and parts of a place name, for sites and drives alike."""

import pytest

from dblood.core.search import search_key
from dblood.drives.selectors import drive_search
from dblood.drives.tests.factories import make_drive
from dblood.sites.selectors import site_search
from testing.personas import make_site


def test_search_key_drops_case_accents_and_extra_spaces():
    assert search_key("  Bekasí   TIMUR ") == "bekasi timur"
    assert search_key("Ḱota Ṡerang") == "kota serang"


@pytest.fixture
def jakarta_and_beyond(db):
    return {
        "pusat": make_site("udd-jp", city="Jakarta Pusat", province="DKI Jakarta"),
        "selatan": make_site("udd-js", city="Jakarta Selatan", province="DKI Jakarta"),
        "bekasi": make_site("udd-bks", city="Bekasí", province="Jawa Barat"),
        "bandung": make_site("udd-bdg2", city="Bandung", province="Jawa Barat"),
    }


def codes(sites) -> set[str]:
    return {site.code for site in sites}


def test_site_city_search_matches_parts_case_and_accents(jakarta_and_beyond):
    assert codes(site_search(city="jakarta")) == {"udd-jp", "udd-js"}
    assert codes(site_search(city="JAKARTA  selatan")) == {"udd-js"}
    assert codes(site_search(city="bekasi")) == {"udd-bks"}
    assert codes(site_search(q="bekasi")) == {"udd-bks"}
    assert codes(site_search(province="jawa")) == {"udd-bks", "udd-bdg2"}
    assert codes(site_search(city="surabaya")) == set()


def test_drive_city_search_matches_parts_case_and_accents(jakarta_and_beyond):
    pusat = make_drive(jakarta_and_beyond["pusat"], days_ahead=2)
    selatan = make_drive(jakarta_and_beyond["selatan"], days_ahead=2)
    bekasi = make_drive(jakarta_and_beyond["bekasi"], days_ahead=2)
    assert {d.pk for d in drive_search(city="jakarta")} == {pusat.pk, selatan.pk}
    assert {d.pk for d in drive_search(city="Bekasi")} == {bekasi.pk}
    assert {d.pk for d in drive_search(province="dki")} == {pusat.pk, selatan.pk}
