"""Maintenance methods of GraphDatabase: bloat estimates from the planner's statistics and the amcheck
corruption check.

The bloat estimates compare the pages a relation occupies (pg_class.relpages) with the pages its live
rows would need, computed from the row count (pg_class.reltuples) and the average column widths and null
fractions the last ANALYZE recorded (pg_stats). They are estimates: run ANALYZE first for fresh figures.
Relations without statistics are left out.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from ..exceptions import ThothStorageExceptionError
from .adapter import AdapterBase


class ExtensionUnavailableError(ThothStorageExceptionError):
    """A PostgreSQL extension a method needs cannot be installed in the connected database."""


class BloatRecord(TypedDict):
    """The estimated bloat of one table or index (sizes in bytes, ratio = bloat / real size)."""

    schema_name: str
    table_name: str
    index_name: str | None
    real_size: int
    expected_size: int
    bloat_size: int
    bloat_ratio: float


# Per-row bytes of a heap tuple: 23-byte header plus null bitmap, aligned to 8, plus the data aligned to
# 8, plus its 4-byte line pointer. A page keeps 24 bytes of header; fillfactor (default 100) leaves the rest.
_TABLE_BLOAT = """
WITH widths AS (
    SELECT s.schemaname, s.tablename,
           sum((1 - s.null_frac) * s.avg_width) AS data_width,
           bool_or(s.null_frac > 0) AS has_nulls,
           count(*) AS columns
    FROM pg_stats s WHERE s.schemaname = current_schema() GROUP BY 1, 2
),
tables AS (
    SELECT n.nspname AS schema_name, c.relname AS table_name, c.relpages, c.reltuples,
           current_setting('block_size')::integer AS block_size,
           coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::integer
                     FROM unnest(c.reloptions) AS o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
           w.data_width, w.has_nulls, w.columns
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN widths w ON w.schemaname = n.nspname AND w.tablename = c.relname
    WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.reltuples >= 0
),
estimates AS (
    SELECT *, CASE WHEN reltuples = 0 THEN 0 ELSE ceil(
        reltuples * (
            ceil((23 + CASE WHEN has_nulls THEN ceil(columns / 8.0) ELSE 0 END) / 8.0) * 8
            + ceil(data_width / 8.0) * 8 + 4
        ) / ((block_size - 24) * fillfactor / 100.0)
    ) END AS expected_pages
    FROM tables
)
SELECT schema_name, table_name, CAST(NULL AS text) AS index_name,
       relpages::bigint * block_size AS real_size, expected_pages::bigint * block_size AS expected_size
FROM estimates ORDER BY (relpages - expected_pages) DESC, table_name
"""

# A btree leaf tuple: 8-byte header plus the key data (aligned to 8) plus a 4-byte line pointer; a page
# keeps 24 bytes of header and 16 of btree special space; fillfactor defaults to 90; one metapage.
_INDEX_BLOAT = """
WITH keys AS (
    SELECT i.indexrelid, i.indrelid, sum((1 - s.null_frac) * s.avg_width) AS data_width,
           count(s.attname) AS known, count(*) AS columns
    FROM pg_index i
    CROSS JOIN LATERAL unnest(CAST(i.indkey AS smallint[])) AS k(attnum)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    LEFT JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    LEFT JOIN pg_stats s ON s.schemaname = tn.nspname AND s.tablename = t.relname AND s.attname = a.attname
    GROUP BY 1, 2
),
indexes AS (
    SELECT n.nspname AS schema_name, t.relname AS table_name, c.relname AS index_name, c.relpages,
           c.reltuples, current_setting('block_size')::integer AS block_size,
           coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::integer
                     FROM unnest(c.reloptions) AS o WHERE o LIKE 'fillfactor=%'), 90) AS fillfactor,
           k.data_width
    FROM keys k JOIN pg_class c ON c.oid = k.indexrelid JOIN pg_class t ON t.oid = k.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
    WHERE am.amname = 'btree' AND n.nspname = current_schema() AND k.known = k.columns AND c.reltuples >= 0
),
estimates AS (
    SELECT *, 1 + CASE WHEN reltuples = 0 THEN 0 ELSE ceil(
        reltuples * (8 + ceil(data_width / 8.0) * 8 + 4) / ((block_size - 24 - 16) * fillfactor / 100.0)
    ) END AS expected_pages
    FROM indexes
)
SELECT schema_name, table_name, index_name,
       relpages::bigint * block_size AS real_size, expected_pages::bigint * block_size AS expected_size
FROM estimates ORDER BY (relpages - expected_pages) DESC, index_name
"""


def _records(connection: Connection, sql: str) -> list[BloatRecord]:
    records = []
    for schema_name, table_name, index_name, real_size, expected_size in connection.execute(text(sql)):
        real, expected = int(real_size), int(expected_size)
        bloat = max(real - expected, 0)
        records.append(
            BloatRecord(
                schema_name=schema_name,
                table_name=table_name,
                index_name=index_name,
                real_size=real,
                expected_size=expected,
                bloat_size=bloat,
                bloat_ratio=float(bloat / real) if real else 0.0,
            )
        )
    return records


_CORRUPTION_STATES = frozenset({"XX001", "XX002"})  # data_corrupted, index_corrupted


class MaintenanceMixin(AdapterBase):
    """Bloat estimates and the corruption check of GraphDatabase."""

    def get_bloat_data(self) -> list[BloatRecord]:
        """Estimated bloat of the tables of the current schema that have statistics, most bloated first."""
        with self._connection() as connection:
            return _records(connection, _TABLE_BLOAT)

    def get_index_bloat_data(self) -> list[BloatRecord]:
        """Estimated bloat of the btree indexes of the current schema whose key columns have statistics
        (expression indexes have none), most bloated first."""
        with self._connection() as connection:
            return _records(connection, _INDEX_BLOAT)

    def is_database_corrupted(self) -> bool:
        """Run amcheck's bt_index_check over every valid btree index of the current schema (in one
        statement); True when it reports corruption. Installs amcheck when missing (CREATE EXTENSION needs
        the privilege); ExtensionUnavailableError when it cannot."""
        try:
            with self._connection(begin=True) as connection:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        except DBAPIError as error:
            raise ExtensionUnavailableError(
                f"amcheck is not available in this database (install postgresql-contrib or ask the database "
                f"owner to run CREATE EXTENSION amcheck): {error.orig}"
            ) from None
        try:
            with self._connection() as connection:
                connection.execute(
                    text(
                        "SELECT count(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam "
                        "WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready "
                        "AND n.nspname = current_schema() AND c.relpersistence <> 't'"
                    )
                ).scalar_one()
        except DBAPIError as error:
            if getattr(error.orig, "pgcode", None) in _CORRUPTION_STATES:
                return True
            raise
        return False


__all__ = ["BloatRecord", "ExtensionUnavailableError", "MaintenanceMixin"]
