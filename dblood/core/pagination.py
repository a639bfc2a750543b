from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from rest_framework.pagination import PageNumberPagination

# The annotation that carries the total on each row of a page.
_TOTAL = "_page_total"


class OneQueryPaginator(Paginator):
    """A page of a queryset and the total count in one query: `COUNT(*) OVER ()` on the page's rows.

    Django's Paginator runs `SELECT COUNT(*)` first and the page after: two round trips, and the
    filter (a distance, say) compiled twice. The window count is taken over every matching row
    before LIMIT, so it is the same number. Only an empty page needs a separate count (to tell
    "no rows at all" on page 1 from "past the end"). Querysets a window cannot count the same way
    (DISTINCT, UNION, values()) take Django's path.
    """

    def page(self, number):
        queryset = self.object_list
        if not self._countable(queryset):
            return super().page(number)
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(queryset.annotate(**{_TOTAL: Window(Count("*"))})[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = getattr(rows[0], _TOTAL)
        elif number == 1 and self.allow_empty_first_page:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    @staticmethod
    def _countable(queryset) -> bool:
        if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:
            return False
        query = queryset.query
        return not (query.distinct or query.combinator or query.is_sliced)

    def _page_number(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class Pagination(PageNumberPagination):
    """Every list is paged: `?page=N&page_size=M` (at most 100 a page), in one query per page."""

    django_paginator_class = OneQueryPaginator
    page_size_query_param = "page_size"
    max_page_size = 100
