import pytest

from testing.personas import make_site


@pytest.fixture
def sites(db):
    return {
        "jkt": make_site(
            "udd-jkt",
            name="UDD Jakarta",
            city="Jakarta Pusat",
            province="DKI Jakarta",
            latitude=-6.1862,
            longitude=106.8341,
        ),
        "bdg": make_site(
            "udd-bdg", name="UDD Bandung", city="Bandung", province="Jawa Barat", latitude=-6.9175, longitude=107.6191
        ),
        "sby": make_site(
            "udd-sby", name="UDD Surabaya", city="Surabaya", province="Jawa Timur", latitude=-7.2756, longitude=112.7508
        ),
        "rs": make_site(
            "rs-jkt",
            kind="hospital",
            name="RS Jakarta",
            city="Jakarta Pusat",
            province="DKI Jakarta",
            latitude=-6.1963,
            longitude=106.8469,
        ),
    }


def test_public_list_and_detail(api, sites):
    body = api().get("/api/v1/sites").json()
    assert body["count"] == 4
    detail = api().get(f"/api/v1/sites/{sites['bdg'].id}")
    assert detail.status_code == 200
    assert detail.json()["city"] == "Bandung" and detail.json()["distance_km"] is None


def test_search_by_text_city_province_and_kind(api, sites):
    names = lambda r: [s["name"] for s in r.json()["results"]]  # noqa: E731
    assert names(api().get("/api/v1/sites", {"q": "bandung"})) == ["UDD Bandung"]
    assert names(api().get("/api/v1/sites", {"city": "jakarta pusat"})) == ["RS Jakarta", "UDD Jakarta"]
    assert names(api().get("/api/v1/sites", {"province": "Jawa Timur"})) == ["UDD Surabaya"]
    assert names(api().get("/api/v1/sites", {"kind": "hospital"})) == ["RS Jakarta"]


def test_nearest_first_with_distance(api, sites):
    # Monas, central Jakarta.
    results = api().get("/api/v1/sites", {"lat": -6.1754, "lon": 106.8272}).json()["results"]
    assert [r["name"] for r in results] == ["UDD Jakarta", "RS Jakarta", "UDD Bandung", "UDD Surabaya"]
    distances = [r["distance_km"] for r in results]
    assert distances == sorted(distances)
    assert 1.0 < distances[0] < 2.0
    assert 110 < distances[2] < 125  # Jakarta-Bandung, as the crow flies
    within = api().get("/api/v1/sites", {"lat": -6.1754, "lon": 106.8272, "radius_km": 50}).json()
    assert within["count"] == 2


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lat": 91, "lon": 106}, "lat"),
        ({"lat": -6, "lon": 181}, "lon"),
        ({"lat": "north", "lon": 106}, "lat"),
        ({"lat": -6}, "lon"),
        ({"radius_km": 5}, "radius_km"),
        ({"kind": "castle"}, "kind"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(api, sites, params, field):
    response = api().get("/api/v1/sites", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_unknown_site_is_404(api, db):
    assert api().get("/api/v1/sites/999999").status_code == 404


def test_list_query_count_does_not_grow(api, db, django_assert_num_queries):
    make_site("one")
    with django_assert_num_queries(1):
        assert api().get("/api/v1/sites", {"lat": -6.2, "lon": 106.8}).json()["count"] == 1
    for i in range(9):
        make_site(f"s{i}", verified_by=None)
    with django_assert_num_queries(1):
        assert api().get("/api/v1/sites", {"lat": -6.2, "lon": 106.8}).json()["count"] == 10
