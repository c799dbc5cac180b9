"""Read queries of GraphDatabase whose shape needs Python around the SQL (hand-written).

Each method is one SELECT (sub-selects and array aggregates instead of a loop of queries); the
generated queries live in generated/queries/. Shapes the reference leaves open are listed in
docs/queries.md ("Choices").
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict, cast

from sqlalchemy import Connection, text

from generated.models import EnvironmentType, SoftwareStackType
from generated.queries import environments, packages

from ..config import DatabaseSettings
from ..exceptions import NotFoundError
from . import normalize
from .adapter import AdapterBase
from .enums import QuerySortTypeEnum
from .writers.solver import solver_environment

_ENVIRONMENT_COLUMNS = (
    "environment_name",
    "python_version",
    "image_sha",
    "os_name",
    "os_version",
    "cuda_version",
    "environment_type",
    "thoth_image_name",
    "thoth_image_version",
    "env_image_name",
    "env_image_tag",
)


class SoftwareEnvironmentRecord(TypedDict):
    """A software environment (without its id and image name) with the analysis that described it."""

    environment_name: str | None
    python_version: str | None
    image_sha: str | None
    os_name: str | None
    os_version: str | None
    cuda_version: str | None
    environment_type: EnvironmentType
    thoth_image_name: str | None
    thoth_image_version: str | None
    env_image_name: str | None
    env_image_tag: str | None
    package_extract_document_id: str
    datetime: datetime.datetime | str


ImportPackageRecord = TypedDict(
    "ImportPackageRecord",
    {"package_name": str, "package_version": str | None, "index_url": str | None, "import": str},
)
"""A package version that provides an importable module (keyed `import`, as the original)."""


@dataclass(frozen=True)
class PythonQueryResult:
    """A paginated grouping: `result` maps each group to its number, `count` is the number of groups."""

    result: dict[str, int]
    count: int | None = None


def _when(value: datetime.datetime, convert_datetime: bool) -> datetime.datetime | str:
    return value.isoformat() if convert_datetime else value


def _environment_tables(is_external: bool) -> tuple[str, str]:
    """The environment table and the column of package_extract_run / has_symbol that refers to it."""
    if is_external:
        return "external_software_environment", "external_software_environment_id"
    return "software_environment", "software_environment_id"


def _environment_filters(
    ref: str,
    *,
    env_image_name: str | None,
    env_image_tag: str | None,
    os_name: str | None,
    os_version: str | None,
    python_version: str | None,
    cuda_version: str | None,
    image_name: str | None,
    library_name: str | None,
    symbol: str | None,
    package_name: str | None,
    rpm_package_name: str | None,
) -> tuple[str, dict[str, object]]:
    """The WHERE condition over environments `e` and their analyses `r` (None disables a filter), and its
    parameters: `library_name`/`symbol` keep environments providing that symbol, `package_name` those whose
    analysis identified that Python package, `rpm_package_name` those with that RPM installed."""
    os_name, os_version = normalize.os_filter(os_name, os_version)
    filters = {
        "env_image_name": env_image_name,
        "env_image_tag": env_image_tag,
        "os_name": os_name,
        "os_version": os_version,
        "python_version": python_version,
        "cuda_version": cuda_version,
        "image_name": image_name,
    }
    conditions = [f"(CAST(:{name} AS text) IS NULL OR e.{name} = :{name})" for name in filters]
    where = (
        f"{' AND '.join(conditions)} "
        "AND (CAST(:library_name AS text) IS NULL AND CAST(:symbol AS text) IS NULL OR EXISTS ("
        f"SELECT 1 FROM has_symbol h JOIN versioned_symbol s ON s.id = h.versioned_symbol_id "
        f"WHERE h.{ref} = e.id AND (CAST(:library_name AS text) IS NULL OR s.library_name = :library_name) "
        "AND (CAST(:symbol AS text) IS NULL OR s.symbol = :symbol))) "
        "AND (CAST(:package_name AS text) IS NULL OR EXISTS (SELECT 1 FROM identified i "
        "JOIN python_package_version_entity p ON p.id = i.python_package_version_entity_id "
        "WHERE i.package_extract_run_id = r.id AND p.package_name = :package_name)) "
        "AND (CAST(:rpm_package_name AS text) IS NULL OR EXISTS (SELECT 1 FROM found_rpm f "
        "JOIN rpm_package_version p ON p.id = f.rpm_package_version_id "
        "WHERE f.package_extract_run_id = r.id AND p.package_name = :rpm_package_name))"
    )
    parameters: dict[str, object] = {
        **filters,
        "library_name": library_name,
        "symbol": symbol,
        "package_name": None if package_name is None else normalize.package_name(package_name),
        "rpm_package_name": rpm_package_name,
    }
    return where, parameters


def document_id_of(document: Mapping[str, object]) -> str:
    """`metadata.document_id` of a result document (KeyError naming what is missing)."""
    metadata = document.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("document_id"), str):
        raise KeyError("the document has no metadata.document_id")
    return str(metadata["document_id"])


class ReadsMixin(AdapterBase):
    """Hand-written read queries of GraphDatabase."""

    def analysis_document_id_exist(self, analysis_document_id: str) -> bool:
        raise NotImplementedError  # provided by generated.graph_documents.DocumentsMixin

    def solver_document_id_exists(self, solver_document_id: str) -> bool:
        raise NotImplementedError  # provided by generated.graph_documents.DocumentsMixin

    @staticmethod
    def construct_connection_string() -> str:
        """The database URL the KNOWLEDGE_GRAPH_* variables configure (password included)."""
        return DatabaseSettings.from_env().url().render_as_string(hide_password=False)

    def analysis_records_exist(self, analysis_document: Mapping[str, object]) -> bool:
        """True when the package-extract document (its `metadata.document_id`) was synced."""
        return self.analysis_document_id_exist(document_id_of(analysis_document))

    def solver_records_exist(self, solver_document: Mapping[str, object]) -> bool:
        """True when the solver document (its `metadata.document_id`) was synced."""
        return self.solver_document_id_exists(document_id_of(solver_document))

    def python_package_version_exists(
        self,
        package_name: str,
        package_version: str,
        index_url: str | None = None,
        solver_name: str | None = None,
        *,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
    ) -> bool:
        """True when the package version was solved (on that index) in the environment the solver name
        (`solver-<os>-<version>-py<XY>`, as the original) or the filters name; any when none."""
        if solver_name is not None:
            solver = solver_environment(solver_name)
            os_name, os_version, python_version = solver.os_name, solver.os_version, solver.python_version
        os_name, os_version = normalize.os_filter(os_name, os_version)
        with self._connection() as connection:
            return packages.python_package_version_exists(
                connection,
                normalize.package_name(package_name),
                normalize.package_version(package_version) or package_version,
                None if index_url is None else normalize.index_url(index_url),
                os_name=os_name,
                os_version=os_version,
                python_version=python_version,
            )

    def get_hardware_environments_all(
        self,
        is_external: bool = False,
        *,
        start_offset: int = 0,
        count: int | None = 100,
        without_id: bool = True,
    ) -> list[dict[str, int | str | None]]:
        """The (external) hardware environments in the order they were recorded, each as a record of its
        columns; `id` too with without_id=False."""
        with self._connection() as connection:
            rows = environments.get_hardware_environments_all(
                connection, is_external, start_offset=start_offset, count=count
            )
        return [
            {
                key: cast(int | str | None, value)
                for key, value in row.items()
                if key != "id" or not without_id
            }
            for row in rows
        ]

    def get_software_environments_all(
        self,
        is_external: bool = False,
        convert_datetime: bool = True,
        *,
        start_offset: int = 0,
        count: int | None = 100,
        env_image_name: str | None = None,
        env_image_tag: str | None = None,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        cuda_version: str | None = None,
        image_name: str | None = None,
        library_name: str | None = None,
        symbol: str | None = None,
        package_name: str | None = None,
        rpm_package_name: str | None = None,
    ) -> list[SoftwareEnvironmentRecord]:
        """The analysed software environments, newest analysis first; None disables a filter.

        `library_name`/`symbol` keep environments providing that symbol, `package_name` those whose
        analysis identified that Python package, `rpm_package_name` those with that RPM installed.
        """
        table, ref = _environment_tables(is_external)
        columns = ", ".join(f"e.{name}" for name in _ENVIRONMENT_COLUMNS)
        where, parameters = _environment_filters(
            ref,
            env_image_name=env_image_name,
            env_image_tag=env_image_tag,
            os_name=os_name,
            os_version=os_version,
            python_version=python_version,
            cuda_version=cuda_version,
            image_name=image_name,
            library_name=library_name,
            symbol=symbol,
            package_name=package_name,
            rpm_package_name=rpm_package_name,
        )
        sql = (
            f"SELECT {columns}, r.analysis_document_id, r.datetime FROM {table} e "
            f"JOIN package_extract_run r ON r.{ref} = e.id WHERE {where} "
            "ORDER BY r.datetime DESC, r.analysis_document_id OFFSET :start_offset LIMIT :count"
        )
        parameters.update(start_offset=start_offset, count=count)
        with self._connection() as connection:
            rows = connection.execute(text(sql), parameters).all()
        return [
            SoftwareEnvironmentRecord(
                environment_name=row[0],
                python_version=row[1],
                image_sha=row[2],
                os_name=row[3],
                os_version=row[4],
                cuda_version=row[5],
                environment_type=row[6],
                thoth_image_name=row[7],
                thoth_image_version=row[8],
                env_image_name=row[9],
                env_image_tag=row[10],
                package_extract_document_id=row[11],
                datetime=_when(row[12], convert_datetime),
            )
            for row in rows
        ]

    def get_software_environments_count_all(
        self,
        is_external: bool = False,
        *,
        env_image_name: str | None = None,
        env_image_tag: str | None = None,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        cuda_version: str | None = None,
        image_name: str | None = None,
        library_name: str | None = None,
        symbol: str | None = None,
        package_name: str | None = None,
        rpm_package_name: str | None = None,
    ) -> int:
        """Number of (external) software environments that the filters of get_software_environments_all keep,
        analysed or not (as the original counts environments, not their analyses)."""
        table, ref = _environment_tables(is_external)
        where, parameters = _environment_filters(
            ref,
            env_image_name=env_image_name,
            env_image_tag=env_image_tag,
            os_name=os_name,
            os_version=os_version,
            python_version=python_version,
            cuda_version=cuda_version,
            image_name=image_name,
            library_name=library_name,
            symbol=symbol,
            package_name=package_name,
            rpm_package_name=rpm_package_name,
        )
        sql = f"SELECT count(DISTINCT e.id) FROM {table} e LEFT JOIN package_extract_run r ON r.{ref} = e.id WHERE {where}"
        with self._connection() as connection:
            return int(connection.execute(text(sql), parameters).scalar_one())

    def get_python_package_version_import_packages_all(
        self, import_name: str, distinct: bool = False
    ) -> list[ImportPackageRecord]:
        """Package versions providing the importable `import_name`; a trailing `*` matches every import
        name starting with the rest (`foo.*`: foo's submodules, `foo*`: foo too). NotFoundError when none does."""
        prefix = import_name[:-1] if import_name.endswith("*") else None
        sql = (
            f"SELECT {'DISTINCT' if distinct else ''} v.package_name, v.package_version, i.url, ip.import_package_name "
            "FROM found_import_package f JOIN import_package ip ON ip.id = f.import_package_id "
            "JOIN python_package_version v ON v.id = f.python_package_version_id "
            "JOIN python_package_index i ON i.id = v.python_package_index_id "
            "WHERE (CAST(:prefix AS text) IS NULL AND ip.import_package_name = :name) "
            "OR ip.import_package_name LIKE :like ESCAPE '\\' ORDER BY 4, 1, 2, 3"
        )
        like = None if prefix is None else _like_escape(prefix) + "%"
        with self._connection() as connection:
            rows = connection.execute(text(sql), {"name": import_name, "prefix": prefix, "like": like}).all()
        if not rows:
            raise NotFoundError(f"no package version provides {import_name!r}")
        records: list[ImportPackageRecord] = [
            {"package_name": row[0], "package_version": row[1], "index_url": row[2], "import": row[3]}
            for row in rows
        ]
        return records

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

    def get_python_software_stack_count_all(
        self,
        is_external: bool = False,
        software_stack_type: SoftwareStackType | None = None,
        distinct: bool = False,
    ) -> int:
        """Number of software stacks (of one type; None: all, fixing the original's `= NULL` filter); with
        distinct, the number of their distinct types, as the original. External (user) stacks have no type:
        a type with `is_external` raises ValueError."""
        if is_external:
            if software_stack_type is not None:
                raise ValueError("external software stacks have no software_stack_type")
            sql, parameters = "SELECT count(*) FROM external_python_software_stack", {}
        else:
            counted = "count(DISTINCT software_stack_type)" if distinct else "count(*)"
            sql = (
                f"SELECT {counted} FROM python_software_stack "
                "WHERE CAST(:type AS text) IS NULL OR software_stack_type = :type"
            )
            parameters = {"type": software_stack_type}
        with self._connection() as connection:
            return int(connection.execute(text(sql), parameters).scalar_one())


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = [
    "ImportPackageRecord",
    "PythonQueryResult",
    "ReadsMixin",
    "SoftwareEnvironmentRecord",
]
