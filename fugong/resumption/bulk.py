"""Fast inserts for rows that are already valid (snapshots, the demo): COPY on PostgreSQL, executemany
elsewhere. No model instance is built and values go to the driver as they are, except the types the backend
needs adapted (aware datetimes and dates on SQLite, JSON): at tens of thousands of rows the ORM's per-object,
per-value preparation costs far more than the database's work."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Model


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField) or getattr(field, "purpose", None) is not None:
        return lambda v: field.get_db_prep_save(v, connection)  # JSON, sealed text: the field knows
    if connection.vendor == "postgresql":
        return None  # psycopg sends dates, datetimes and decimals as they are
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def insert_rows(model: type[Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 5000) -> int:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    cols = [fields[a] for a in attnames]
    adapters = [(i, a) for i, a in enumerate(_adapter(f) for f in cols) if a is not None]

    def prepared(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for i, adapt in adapters:
            if values[i] is not None:
                values[i] = adapt(values[i])
        return values

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in cols)
    n = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(prepared(row))
                n += 1
        return n
    # Table and column names come from the model's metadata, never from input.
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
    pending: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            pending.append(prepared(row))
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                n += len(pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)
            n += len(pending)
    return n
