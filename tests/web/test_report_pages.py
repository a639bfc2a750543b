"""The reports' pages: the api's rows as a table and an SVG bar chart, its files passed on."""

import re

import httpx
import pytest
from test_staff_pages import HOSPITAL, STAFF, log_in_as
from webfakes import USER, staff_home_reads

WASTAGE = {
    "report": "wastage",
    "title": "Wastage: discards and expiries",
    "site_ids": [1],
    "timezone": "Asia/Jakarta",
    "period": {"from": "2026-03-01", "to": "2026-03-31"},
    "columns": [
        {"key": "component", "label": "Component"},
        {"key": "outcome", "label": "Outcome"},
        {"key": "reason", "label": "Reason"},
        {"key": "units", "label": "Units"},
    ],
    "total_columns": [
        {"key": "made", "label": "Units made"},
        {"key": "discarded", "label": "Discarded"},
        {"key": "expired", "label": "Expired"},
        {"key": "wastage_rate", "label": "Wastage rate (%)"},
    ],
    "tables": [
        {
            "key": "by_component",
            "title": "Wastage rate by component",
            "columns": [
                {"key": "component", "label": "Component"},
                {"key": "made", "label": "Units made"},
                {"key": "discarded", "label": "Discarded"},
                {"key": "expired", "label": "Expired"},
                {"key": "wastage_rate", "label": "Wastage rate (%)"},
            ],
        }
    ],
    "chart": {"table": "by_component", "label": ["component"], "value": "wastage_rate"},
    "rows": [
        {"component": "PRC", "outcome": "discarded", "reason": "Broken bag", "units": 2},
        {"component": "FFP", "outcome": "discarded", "reason": "Haemolysed", "units": 1},
    ],
    "totals": {
        "made": 4,
        "discarded": 3,
        "expired": 0,
        "wastage_rate": 75.0,
        "by_component": [
            {"component": "PRC", "made": 4, "discarded": 2, "expired": 0, "wastage_rate": 50.0},
            {"component": "FFP", "made": 0, "discarded": 1, "expired": 0, "wastage_rate": None},
        ],
    },
}


@pytest.fixture
def staff(client, fake_api):
    staff_home_reads(fake_api)
    return log_in_as(client, fake_api, STAFF)


def test_the_index_lists_every_report_with_the_period(staff, fake_api):
    page = staff.get("/staff/reports/?month=2026-03").content.decode()
    for name in (
        "wastage",
        "collections",
        "issues",
        "deferrals",
        "turnaround",
        "returns",
        "complications",
        "reactions",
    ):
        assert f'href="/staff/reports/{name}/?month=2026-03"' in page


def test_a_report_page_shows_the_rows_the_totals_and_a_bar_per_line(staff, fake_api):
    fake_api.on("GET", "reports/wastage", body=WASTAGE)
    page = staff.get("/staff/reports/wastage/?from=2026-03-01&to=2026-03-31").content.decode()
    sent = fake_api.last("GET", "reports/wastage")
    assert dict(sent.url.params) == {"from": "2026-03-01", "to": "2026-03-31"}
    assert sent.headers["Authorization"] == "Bearer tok"
    assert '<td data-label="Reason">Broken bag</td><td data-label="Units">2</td>' in page  # a card on a phone
    assert "<dt>Wastage rate (%)</dt><dd>75.0</dd>" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert '<title id="chart-desc">Wastage: discards and expiries</title>' in svg
    # PRC has the largest rate: the longest bar; FFP (no rate: nothing made) gets none, "–" instead.
    widths = re.findall(r'<rect x="130.0" y="4" height="20" width="([0-9.]+)"', svg)
    assert widths == ["160.0"]
    assert ">FFP</text>" in svg and ">–</text>" in svg
    assert 'href="/staff/reports/wastage.csv?from=2026-03-01&amp;to=2026-03-31"' in page
    assert 'href="/staff/reports/wastage.xlsx?from=2026-03-01&amp;to=2026-03-31"' in page


def test_without_a_period_the_current_month_is_asked(staff, fake_api):
    fake_api.on("GET", "reports/wastage", body=WASTAGE)
    assert staff.get("/staff/reports/wastage/").status_code == 200
    assert re.fullmatch(r"\d{4}-\d{2}", fake_api.last("GET", "reports/wastage").url.params["month"])


def test_a_refused_period_shows_the_apis_message(staff, fake_api):
    error = {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input.",
        "fields": {"to": ["The last day is before the first."]},
    }
    fake_api.on("GET", "reports/wastage", status=400, body=error)
    answer = staff.get("/staff/reports/wastage/?from=2026-03-10&to=2026-03-01")
    assert answer.status_code == 400
    assert "The last day is before the first." in answer.content.decode()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv; charset=utf-8"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
)
def test_downloads_are_the_apis_file_never_cached(staff, fake_api, fmt, content_type):
    def file(request, match):
        headers = {"content-type": content_type, "content-disposition": f'attachment; filename="w.{fmt}"'}
        return httpx.Response(200, content=b"the-file", headers=headers)

    fake_api.on("GET", rf"reports/wastage\.{fmt}", handler=file)
    answer = staff.get(f"/staff/reports/wastage.{fmt}?month=2026-03")
    assert answer.status_code == 200 and answer.content == b"the-file"
    assert answer["Content-Type"] == content_type
    assert answer["Content-Disposition"] == f'attachment; filename="w.{fmt}"'
    assert "no-store" in answer["Cache-Control"]
    sent = fake_api.last("GET", f"reports/wastage.{fmt}")
    assert sent.headers["Authorization"] == "Bearer tok" and sent.url.params["month"] == "2026-03"


def test_unknown_reports_and_formats_are_404(staff, fake_api):
    assert staff.get("/staff/reports/nothing/").status_code == 404
    assert staff.get("/staff/reports/wastage.pdf").status_code == 404


@pytest.mark.parametrize("user", [HOSPITAL, USER])
def test_hospital_staff_and_donors_get_the_403_page(client, fake_api, user):
    log_in_as(client, fake_api, user)
    for path in ("/staff/reports/", "/staff/reports/wastage/", "/staff/reports/wastage.csv"):
        assert client.get(path).status_code == 403
    assert not [r for r in fake_api.requests if "reports" in r.url.path]


def test_the_staff_home_links_the_reports(staff, fake_api):
    assert 'href="/staff/reports/"' in staff.get("/staff/").content.decode()


def test_the_daily_stock_asks_for_one_day_today_by_default(staff, fake_api):
    body = {**WASTAGE, "report": "daily_stock", "chart": {"table": "rows", "label": ["component"], "value": "units"}}
    fake_api.on("GET", "reports/daily_stock", body=body)
    assert staff.get("/staff/reports/daily_stock/").status_code == 200
    params = dict(fake_api.last("GET", "reports/daily_stock").url.params)
    assert list(params) == ["day"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", params["day"])
    index = staff.get("/staff/reports/?month=2026-03").content.decode()
    assert 'href="/staff/reports/daily_stock/"' in index  # a month is not a day: the page asks for today
    assert (
        'href="/staff/reports/daily_stock/?day=2026-03-10"'
        in staff.get("/staff/reports/?day=2026-03-10").content.decode()
    )


ADMIN = {**USER, "id": 9, "role": "admin", "memberships": []}


def test_an_admin_picks_the_nation_or_one_bank(client, fake_api):
    log_in_as(client, fake_api, ADMIN)
    fake_api.on("GET", "sites", body=[{"id": 1, "name": "UDD Jakarta"}, {"id": 4, "name": "UDD Bandung"}])
    fake_api.on("GET", "reports/wastage", body={**WASTAGE, "site_ids": None})
    page = client.get("/staff/reports/wastage/?month=2026-03").content.decode()
    assert '<option value="" selected>National: every blood bank</option>' in page
    assert "National: every blood bank." in page  # the api said: national
    assert "site" not in fake_api.last("GET", "reports/wastage").url.params
    page = client.get("/staff/reports/wastage/?month=2026-03&site=4").content.decode()
    assert '<option value="4" selected>UDD Bandung</option>' in page
    assert fake_api.last("GET", "reports/wastage").url.params["site"] == "4"


def test_staff_of_one_bank_have_nothing_to_pick_and_of_two_pick_one(client, fake_api):
    staff_home_reads(fake_api)
    log_in_as(client, fake_api, STAFF)
    fake_api.on("GET", "reports/wastage", body=WASTAGE)
    assert 'name="site"' not in client.get("/staff/reports/wastage/?month=2026-03").content.decode()
    two = {
        **STAFF,
        "memberships": [*STAFF["memberships"], {"site_id": 5, "site_name": "UDD Bogor", "site_kind": "blood_bank"}],
    }
    log_in_as(client, fake_api, two)
    page = client.get("/staff/reports/wastage/?month=2026-03").content.decode()
    assert (
        '<option value="" selected>All my blood banks</option>' in page
        and '<option value="5">UDD Bogor</option>' in page
    )


def test_the_index_links_the_months_haemovigilance_export(staff, fake_api):
    page = staff.get("/staff/reports/?month=2026-03").content.decode()
    assert 'href="/staff/reports/haemovigilance-export.csv?month=2026-03"' in page
    ranged = staff.get("/staff/reports/?from=2026-03-01&to=2026-03-10").content.decode()
    assert "haemovigilance-export.csv" not in ranged and "Choose a month to download" in ranged


def test_the_haemovigilance_export_is_the_apis_file_never_cached(staff, fake_api):
    def file(request, match):
        headers = {"content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="h.csv"'}
        return httpx.Response(200, content=b"record_type,reference\r\n", headers=headers)

    fake_api.on("GET", r"reports/haemovigilance-export\.csv", handler=file)
    answer = staff.get("/staff/reports/haemovigilance-export.csv?month=2026-03&site=4")
    assert answer.status_code == 200 and answer.content == b"record_type,reference\r\n"
    assert answer["Content-Disposition"] == 'attachment; filename="h.csv"' and "no-store" in answer["Cache-Control"]
    sent = fake_api.last("GET", "reports/haemovigilance-export.csv")
    assert dict(sent.url.params) == {"month": "2026-03", "site": "4"}


def test_a_refused_export_month_shows_the_apis_message(staff, fake_api):
    error = {"status": 400, "code": "invalid", "detail": "Invalid input.", "fields": {"month": ["Give a month."]}}
    fake_api.on("GET", r"reports/haemovigilance-export\.csv", status=400, body=error)
    answer = staff.get("/staff/reports/haemovigilance-export.csv?month=2026-13")
    assert answer.status_code == 400 and "month: Give a month." in answer.content.decode()
