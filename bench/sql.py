"""Set-based inserts that survive models growing new columns.

`insert_select` writes `INSERT INTO <table> (<every concrete column>) SELECT ...`: the columns the
caller gives are SQL expressions; every other column gets its model default (or NULL, or now()
for auto_now fields, or '' for blank text). A field the seeder cannot fill is an error naming it.
"""

from django.db import connection, models

Expr = str | tuple[str, list]


def _default(field: models.Field) -> Expr:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if field.has_default():
        return "%s", [field.get_db_prep_save(field.get_default(), connection)]
    if getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
        return "DEFAULT"
    if field.null:
        return "NULL"
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return "''"
    raise ValueError(f"bench seeder: {field.model.__name__}.{field.name} has no default; give it a value")


def insert_select(model: type[models.Model], exprs: dict[str, Expr], from_sql: str, params: list | None = None) -> int:
    """Insert one row per row of `SELECT ... <from_sql>`; `exprs` maps attnames (user_id) to SQL."""
    unknown = set(exprs) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    columns, selects, select_params = [], [], []
    for field in model._meta.concrete_fields:
        if field.attname in exprs:
            expr = exprs[field.attname]
        elif field.primary_key:
            continue
        else:
            expr = _default(field)
        if expr == "DEFAULT":
            continue
        sql, args = (expr, []) if isinstance(expr, str) else expr
        columns.append(connection.ops.quote_name(field.column))
        selects.append(sql)
        select_params += args
    statement = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} {from_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, select_params + list(params or []))
        return cursor.rowcount


def scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def reset_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
