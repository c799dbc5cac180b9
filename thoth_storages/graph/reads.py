"""Read queries of GraphDatabase whose shape needs Python around the SQL (hand-written).

Each method is one SELECT (sub-selects and array aggregates instead of a loop of queries); the
generated queries live in generated/queries/. Shapes the reference leaves open are listed in
docs/queries.md ("Choices").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text

from ..config import DatabaseSettings
from . import normalize
from .adapter import AdapterBase
from .enums import QuerySortTypeEnum


@dataclass(frozen=True)
class PythonQueryResult:
    """A paginated grouping: `result` maps each group to its number, `count` is the number of groups."""

    result: dict[str, int]
    count: int | None = None


class ReadsMixin(AdapterBase):
    """Hand-written read queries of GraphDatabase."""

    @staticmethod
    def construct_connection_string() -> str:
        """The database URL the KNOWLEDGE_GRAPH_* variables configure (password included)."""
        return DatabaseSettings.from_env().url().render_as_string(hide_password=False)

    def get_python_package_versions_all_count(
        self,
        *,
        start_offset: int = 0,
        count: int | None = 100,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        distinct: bool = False,
        sort_by: QuerySortTypeEnum | None = None,
    ) -> PythonQueryResult:
        """Per package name (a page of them, by name; by most versions first with sort_by=PACKAGE_VERSION,
        which the original left unimplemented) the number of its solved versions from an index (the rows
        get_python_package_versions_all lists); `.count` is the number of names in all. `distinct` counts
        each (version, index) once across environments."""
        os_name, os_version = normalize.os_filter(os_name, os_version)
        counted = "count(DISTINCT (v.package_version, v.python_package_index_id))" if distinct else "count(*)"
        order = (
            f"{counted} DESC, v.package_name"
            if sort_by is QuerySortTypeEnum.PACKAGE_VERSION
            else "v.package_name"
        )
        sql = (
            f"SELECT v.package_name, {counted}, count(*) OVER () FROM python_package_version v "
            "JOIN python_package_index i ON i.id = v.python_package_index_id "
            "WHERE (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name) "
            "AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version) "
            "AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version) "
            f"GROUP BY v.package_name ORDER BY {order} OFFSET :start_offset LIMIT :count"
        )
        parameters = {
            "os_name": os_name,
            "os_version": os_version,
            "python_version": python_version,
            "start_offset": start_offset,
            "count": count,
        }
        with self._connection() as connection:
            rows = connection.execute(text(sql), parameters).all()
            total = rows[0][2] if rows else self._group_count(connection, parameters)
        return PythonQueryResult(result={row[0]: int(row[1]) for row in rows}, count=int(total))

    @staticmethod
    def _group_count(connection: Connection, parameters: Mapping[str, object]) -> int:
        return int(
            connection.execute(
                text(
                    "SELECT count(DISTINCT v.package_name) FROM python_package_version v "
                    "JOIN python_package_index i ON i.id = v.python_package_index_id "
                    "WHERE (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name) "
                    "AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version) "
                    "AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version)"
                ),
                {key: parameters[key] for key in ("os_name", "os_version", "python_version")},
            ).scalar_one()
        )


__all__ = [
    "PythonQueryResult",
    "ReadsMixin",
]
