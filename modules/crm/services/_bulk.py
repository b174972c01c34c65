"""``bulk_create`` through PostgreSQL's COPY, for imports of tens of thousands of rows.

Why not ``bulk_create``: it sends one INSERT with a placeholder per value (19,000 for 1,000 parties), which
psycopg splits and PostgreSQL parses chunk after chunk; on a 50,000-row party file that was two thirds of
the import's time. COPY streams the same values, converted by the same model fields (``pre_save`` and
``get_db_prep_save``), and takes the ids from the table's own sequence first so the objects get their pks
back, as with ``bulk_create``. No signals are sent (``bulk_create`` sends none either).
"""

from __future__ import annotations

from django.db import connection, models
from psycopg import sql


def bulk_copy(model: type[models.Model], objects: list[models.Model]) -> list[models.Model]:
    """Insert ``objects`` (unsaved) with COPY; sets their pks. Call inside the write's transaction."""
    if not objects:
        return objects
    meta = model._meta
    pk = meta.pk
    fields = [field for field in meta.concrete_fields if field is not pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, pk.column, len(objects)])
        ids = [row[0] for row in cursor.fetchall()]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(column) for column in
                                                              [pk.column, *(field.column for field in fields)]))
        with cursor.cursor.copy(statement) as copy:
            for obj, pk_value in zip(objects, ids, strict=True):
                obj.pk = pk_value
                copy.write_row([pk_value, *(field.get_db_prep_save(field.pre_save(obj, True), connection)
                                            for field in fields)])
                obj._state.adding = False
                obj._state.db = connection.alias
    return objects
