"""Search that forgives: place names match whatever their case and accents, and by any part.

"jakarta" finds Jakarta Pusat and Jakarta Selatan; "bekasi" finds "Bekasí" and the other way round.
Place names are few (Indonesia has about 500 cities and regencies), so the distinct values of a
column are matched in Python with one normalisation and the query filters on the names that
matched: the same on PostgreSQL and on SQLite (`make run`), with no database extension.
"""

import unicodedata

from django.db.models import QuerySet


def search_key(text: str) -> str:
    """`text` without accents, case-folded, with runs of whitespace made one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def names_matching(queryset: QuerySet, field: str, query: str) -> list[str]:
    """The distinct values of `field` in `queryset` that contain `query`, forgivingly."""
    wanted = search_key(query)
    values = queryset.order_by().values_list(field, flat=True).distinct()
    return [value for value in values if wanted in search_key(value)]
