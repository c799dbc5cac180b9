"""What the sync tests compare: every table's row count, and every table's whole content."""

from __future__ import annotations

from sqlalchemy import text

from generated.models import Base
from thoth_storages import GraphDatabase


def counts(graph: GraphDatabase) -> dict[str, int]:
    """Rows per table."""
    with graph.engine.connect() as connection:
        return {
            table: int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
            for table in sorted(Base.metadata.tables)
        }


def snapshot(graph: GraphDatabase) -> dict[str, str | None]:
    """Every table's whole content, as one digest per table."""
    with graph.engine.connect() as connection:
        return {
            table: connection.execute(
                text(f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \"{table}\" AS t")
            ).scalar_one()
            for table in sorted(Base.metadata.tables)
        }


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Tables whose row count changed, with the change."""
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}
