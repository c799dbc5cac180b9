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


class TableBloatRecord(TypedDict):
    """The estimated bloat of one table, keyed as the original's rows (bytes, MiB, percent of the table)."""

    databasename: str
    schemaname: str
    tablename: str
    can_estimate: bool
    table_bytes: float
    table_mb: float
    expected_bytes: float
    expected_mb: float
    pct_bloat: float
    mb_bloat: float
    est_rows: float


class IndexBloatRecord(TypedDict):
    """The estimated bloat of one btree index, keyed as the original's rows."""

    database_name: str
    schema_name: str
    table_name: str
    index_name: str
    bloat_pct: float
    bloat_mb: float
    index_mb: float
    table_mb: float
    index_scans: int


_MIB = 1024.0**2


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
SELECT current_database(), schema_name, table_name, reltuples,
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
           pg_relation_size(t.oid) AS table_size, coalesce(u.idx_scan, 0) AS index_scans,
           coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::integer
                     FROM unnest(c.reloptions) AS o WHERE o LIKE 'fillfactor=%'), 90) AS fillfactor,
           k.data_width
    FROM keys k JOIN pg_class c ON c.oid = k.indexrelid JOIN pg_class t ON t.oid = k.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
    LEFT JOIN pg_stat_user_indexes u ON u.indexrelid = c.oid
    WHERE am.amname = 'btree' AND n.nspname = current_schema() AND k.known = k.columns AND c.reltuples >= 0
),
estimates AS (
    SELECT *, 1 + CASE WHEN reltuples = 0 THEN 0 ELSE ceil(
        reltuples * (8 + ceil(data_width / 8.0) * 8 + 4) / ((block_size - 24 - 16) * fillfactor / 100.0)
    ) END AS expected_pages
    FROM indexes
)
SELECT current_database(), schema_name, table_name, index_name, table_size, index_scans,
       relpages::bigint * block_size AS real_size, expected_pages::bigint * block_size AS expected_size
FROM estimates ORDER BY (relpages - expected_pages) DESC, index_name
"""


def _bloat(real_size: int, expected_size: int) -> tuple[float, float]:
    """(percent of the real size, MiB) by which a relation exceeds its expected size."""
    bloat = max(real_size - expected_size, 0)
    return (float(round(bloat * 100 / real_size)) if real_size else 0.0), round(bloat / _MIB, 2)


def _tables(connection: Connection) -> list[TableBloatRecord]:
    records = []
    for database, schema, table, rows, real_size, expected_size in connection.execute(text(_TABLE_BLOAT)):
        pct, mib = _bloat(int(real_size), int(expected_size))
        records.append(
            TableBloatRecord(
                databasename=database,
                schemaname=schema,
                tablename=table,
                can_estimate=True,
                table_bytes=float(real_size),
                table_mb=round(int(real_size) / _MIB, 3),
                expected_bytes=float(expected_size),
                expected_mb=round(int(expected_size) / _MIB, 3),
                pct_bloat=pct,
                mb_bloat=mib,
                est_rows=float(rows),
            )
        )
    return records


def _indexes(connection: Connection) -> list[IndexBloatRecord]:
    records = []
    for row in connection.execute(text(_INDEX_BLOAT)):
        database, schema, table, index, table_size, scans, real_size, expected_size = row
        pct, mib = _bloat(int(real_size), int(expected_size))
        records.append(
            IndexBloatRecord(
                database_name=database,
                schema_name=schema,
                table_name=table,
                index_name=index,
                bloat_pct=pct,
                bloat_mb=mib,
                index_mb=round(int(real_size) / _MIB, 3),
                table_mb=round(int(table_size) / _MIB, 3),
                index_scans=int(scans),
            )
        )
    return records


_CORRUPTION_STATES = frozenset({"XX001", "XX002"})  # data_corrupted, index_corrupted


class MaintenanceMixin(AdapterBase):
    """Bloat estimates and the corruption check of GraphDatabase."""

    def get_bloat_data(self) -> list[TableBloatRecord]:
        """Estimated bloat of the tables of the current schema that have statistics, most bloated first."""
        with self._connection() as connection:
            return _tables(connection)

    def get_index_bloat_data(self) -> list[IndexBloatRecord]:
        """Estimated bloat of the btree indexes of the current schema whose key columns have statistics
        (expression indexes have none), most bloated first."""
        with self._connection() as connection:
            return _indexes(connection)

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


__all__ = ["ExtensionUnavailableError", "IndexBloatRecord", "MaintenanceMixin", "TableBloatRecord"]
