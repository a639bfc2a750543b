from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Every list is paged: `?page=N&page_size=M` (at most 100 a page).

    Two queries, `COUNT(*)` and the page. Getting the total in the page's own query with
    `COUNT(*) OVER ()` saves a round trip but was measured slower where it matters: the window
    needs every matching row fetched (with its joins) and sorted before the LIMIT, where the
    separate count is an index-only scan and the page stops after N rows in index order. Staff's
    first-expiring list at 1,000,000 donors went from 21 ms to 104 ms of SQL (bench, 2026-11-29).
    """

    page_size_query_param = "page_size"
    max_page_size = 100
