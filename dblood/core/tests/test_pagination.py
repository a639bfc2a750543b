"""Pages come with their total in one query, and behave like Django's paginator at the edges."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger

from dblood.core.pagination import OneQueryPaginator
from dblood.sites.models import Site

pytestmark = pytest.mark.django_db


def test_pages_totals_and_links_match_the_rows(api, bank_a, bank_b, hospital, django_assert_num_queries):
    client = api()
    names = sorted(Site.objects.values_list("name", flat=True))
    seen = []
    url = "/api/v1/sites?page_size=2"
    while url:
        with django_assert_num_queries(1):
            body = client.get(url).json()
        assert body["count"] == 3
        seen += [row["name"] for row in body["results"]]
        url = body["next"]
    assert seen == names


def test_an_empty_list_is_a_page_of_nothing(api, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api().get("/api/v1/sites").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_page_past_the_end_is_404(api, bank_a, bank_b):
    response = api().get("/api/v1/sites", {"page_size": 1, "page": 3})
    assert response.status_code == 404
    assert "page" in response.json()["detail"].lower()


@pytest.mark.parametrize("page", ["0", "-1", "1.5"])
def test_pages_below_one_or_fractional_are_refused(page):
    with pytest.raises((EmptyPage, PageNotAnInteger)):
        OneQueryPaginator(Site.objects.all(), 10).page(page)


def test_querysets_a_window_cannot_count_take_djangos_path():
    distinct = Site.objects.values("province").distinct()
    paginator = OneQueryPaginator(distinct, 10)
    assert not OneQueryPaginator._countable(distinct)
    assert paginator.page(1).object_list is not None and paginator.count == distinct.count()
    with pytest.raises(PageNotAnInteger):
        OneQueryPaginator(Site.objects.all(), 10).page("two")
    with pytest.raises(EmptyPage):
        OneQueryPaginator(Site.objects.all(), 10).page(2)
