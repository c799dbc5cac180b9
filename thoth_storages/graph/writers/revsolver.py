"""Reverse-solver documents -> the new release's entity and `depends_on` edges from solved versions.

A reverse solver runs when a package releases a new version: it finds the already solved package
versions whose requirements the release satisfies. The release becomes an entity (no index, as
dependency entities are), and each result entry an edge "this solved version depends on it". The
solved versions must exist: a missing one raises SolverNotRunError (the original's lookup raised too),
and the document writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg2.extras import execute_values

from generated import rows
from generated.documents.revsolver import RevsolverDocument, RevsolverEntry

from ...exceptions import SolverNotRunError
from .. import normalize
from ..bulk import SetWriter
from .stacks import ensure_entities

VersionKey = tuple[str, str | None, str, str, str, str]


def _version_key(entry: RevsolverEntry, aliases: Sequence[tuple[str, str]]) -> VersionKey:
    """(name, version, OS name, OS version, Python version, index URL), normalised as the graph stores them."""
    os_name = normalize.os_name(entry.os_name)
    return (
        normalize.package_name(entry.package_name),
        normalize.package_version(entry.package_version),
        os_name,
        normalize.os_version(os_name, entry.os_version),
        entry.python_version,
        normalize.index_url(entry.index_url, aliases),
    )


def _version_ids(writer: SetWriter, keys: list[VersionKey]) -> dict[VersionKey, int]:
    """Ids of solved python_package_version rows, found with one query."""
    unique = sorted(set(keys), key=repr)
    if not unique:
        return {}
    with writer._cursor() as cursor:
        found = execute_values(
            cursor,
            "SELECT v.package_name, v.package_version, v.os_name, v.os_version, v.python_version, i.url, v.id "
            "FROM python_package_version AS v "
            "JOIN python_package_index AS i ON i.id = v.python_package_index_id "
            "JOIN (VALUES %s) AS k(package_name, package_version, os_name, os_version, python_version, url) "
            "ON v.package_name = k.package_name AND v.package_version = k.package_version "
            "AND v.os_name = k.os_name AND v.os_version = k.os_version "
            "AND v.python_version = k.python_version AND i.url = k.url",
            unique,
            page_size=len(unique),
            fetch=True,
        )
    return {tuple(record[:6]): record[6] for record in found}


def write_revsolver_result(writer: SetWriter, document: RevsolverDocument) -> None:
    """Write one validated revsolver document (inside the caller's transaction)."""
    writer.document = document.metadata.document_id
    arguments = document.metadata.arguments.app_py
    release = (
        normalize.package_name(arguments.package_name),
        normalize.package_version(arguments.package_version),
        None,
    )
    keys = [_version_key(entry, writer.index_aliases) for entry in document.result]
    version_ids = _version_ids(writer, keys)
    for position, key in enumerate(keys):
        if key not in version_ids:
            name, version, os_name, os_version, python_version, url = key
            raise SolverNotRunError(
                f"{document.metadata.document_id}: $.result[{position}]: {name} {version} from {url} was "
                f"not solved for {os_name} {os_version}, Python {python_version}"
            )
    entity_id = ensure_entities(writer, [release])[release]
    writer.ensure(
        rows.DEPENDS_ON(
            [
                {
                    "entity_id": entity_id,
                    "version_id": version_ids[key],
                    "version_range": entry.version_range,
                    "marker": entry.marker,
                    "extra": entry.extra,
                    "marker_evaluation_result": entry.marker_evaluation_result,
                }
                for entry, key in zip(document.result, keys, strict=True)
            ]
        ),
    )
