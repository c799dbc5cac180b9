"""Solver documents -> ecosystem_solver, packages, metadata, artifacts, imports, dependencies, solved."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generated.documents.solver import CoreMetadata, SolverDocument, SolverTreeEntry

from ...exceptions import SchemaError
from .. import normalize
from ..bulk import Row, SetWriter
from .stacks import ensure_entities

_SOLVER_NAME = re.compile(
    r"(?P<name>solver-(?P<os>[a-z0-9_.]+?)-(?P<version>[^-]+)-py(?P<major>\d)(?P<minor>\d+))(?:-|$)"
)
_PINNED = re.compile(r"^===?(?P<version>[^,;\s]+)$")
_UNPARSED = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)===?(?P<version>[^,;\s\[\]]+)$")

# Multi-valued core-metadata keys: document key -> (value table, value column, link table).
_MULTI = {
    "Classifier": ("python_package_metadata_classifier", "classifier", "has_metadata_classifier"),
    "Platform": ("python_package_metadata_platform", "platform", "has_metadata_platform"),
    "Supported_Platform": (
        "python_package_metadata_supported_platform",
        "supported_platform",
        "has_metadata_supported_platform",
    ),
    "Requires_External": (
        "python_package_metadata_requires_external",
        "dependency",
        "has_metadata_requires_external",
    ),
    "Provides_Extra": (
        "python_package_metadata_provides_extra",
        "optional_feature",
        "has_metadata_provides_extra",
    ),
}
_DISTUTILS = {"Requires_Dist": "REQUIRED", "Provides_Dist": "PROVIDED", "Obsoletes_Dist": "OBSOLETE"}
_SCALARS = {
    "author": "Author",
    "author_email": "Author_email",
    "download_url": "Download_URL",
    "home_page": "Home_page",
    "keywords": "Keywords",
    "license": "License",
    "maintainer": "Maintainer",
    "maintainer_email": "Maintainer_email",
    "metadata_version": "Metadata_Version",
    "name": "Name",
    "summary": "Summary",
    "version": "Version",
    "requires_python": "Requires_Python",
    "description": "Description",
    "description_content_type": "Description_Content_Type",
}


@dataclass(frozen=True)
class SolverEnvironment:
    """What a solver document id says about the environment it solved in."""

    solver_name: str
    os_name: str
    os_version: str
    python_version: str


def solver_environment(document_id: str) -> SolverEnvironment:
    """Parse `solver-<os>-<version>-py<XY>[-...]` (the original dropped two trailing parts blindly)."""
    match = _SOLVER_NAME.match(document_id.rsplit("/", 1)[-1])
    if match is None:
        raise SchemaError(
            f"{document_id}: not a solver document id (expected solver-<os>-<version>-py<XY>-...)"
        )
    return SolverEnvironment(
        solver_name=match["name"],
        os_name=normalize.os_name(match["os"]),
        os_version=normalize.os_version(match["os"], match["version"]),
        python_version=f"{match['major']}.{match['minor']}",
    )


def _metadata_row(metadata: CoreMetadata) -> Row:
    return {column: getattr(metadata, attribute) for column, attribute in _SCALARS.items()}


class _SolverWrite:
    """One document's write, table by table, parents first."""

    def __init__(self, writer: SetWriter, document: SolverDocument) -> None:
        self.writer = writer
        self.document = document
        self.document_id = document.metadata.document_id or ""
        self.environment = solver_environment(self.document_id)
        self.datetime = datetime.datetime.fromisoformat(document.metadata.datetime)
        self.index_ids: dict[str, int] = {}

    def run(self) -> None:
        result = self.document.result
        env = self.environment
        self.solver_id = self.writer.ensure_one(
            "ecosystem_solver",
            {
                "ecosystem": "python",
                "solver_name": env.solver_name,
                "solver_version": self.document.metadata.analyzer_version,
                "os_name": env.os_name,
                "os_version": env.os_version,
                "python_version": env.python_version,
            },
        )
        urls = {entry.index_url for entry in result.tree}
        urls |= {error.index_url for error in result.errors} | {item.index_url for item in result.unresolved}
        self._indexes(urls)
        versions = self._tree(result.tree)
        self._failures()
        self._dependencies(result.tree, versions)

    def _indexes(self, urls: Iterable[str]) -> None:
        rows = [
            {
                "url": normalize.index_url(url),
                "verify_ssl": True,
                "enabled": False,
                "only_if_package_seen": True,
            }
            for url in sorted(urls)
        ]
        found = self.writer.ensure("python_package_index", rows)
        self.index_ids = {url: found[(normalize.index_url(url),)] for url in urls}

    def _entities(
        self, keys: Iterable[tuple[str, str | None, int | None]]
    ) -> dict[tuple[str, str | None, int | None], int]:
        return ensure_entities(self.writer, keys)

    def _version_rows(
        self, keys: Sequence[tuple[str, str | None, int | None, int, int | None, int | None, bool | None]]
    ) -> list[Row]:
        env = self.environment
        return [
            {
                "package_name": name,
                "package_version": version,
                "os_name": env.os_name,
                "os_version": env.os_version,
                "python_version": env.python_version,
                "entity_id": entity_id,
                "python_package_index_id": index_id,
                "python_package_metadata_id": metadata_id,
                "is_missing": False,
                "provides_source_distro": True,
                "package_license": license_id,
                "package_license_warning": warning,
            }
            for name, version, index_id, entity_id, metadata_id, license_id, warning in keys
        ]

    def _tree(self, tree: list[SolverTreeEntry]) -> list[int]:
        """Write the solved packages; return the python_package_version id of each tree entry."""
        if not tree:
            return []
        names = [normalize.package_name(entry.package_name) for entry in tree]
        versions = [
            normalize.package_version(entry.package_version or entry.package_version_requested)
            for entry in tree
        ]
        indexes = [self.index_ids[entry.index_url] for entry in tree]
        entity_ids = self._entities(zip(names, versions, indexes, strict=True))
        metadata_rows = [_metadata_row(entry.importlib_metadata.metadata) for entry in tree]
        metadata_of = self.writer.ensure_ids("python_package_metadata", metadata_rows)
        self._multi_valued(tree, metadata_of)
        license_rows = [
            {
                "license_name": entry.package_license.license.full_name,
                "license_identifier": entry.package_license.license.identifier_spdx,
                "license_version": entry.package_license.license_version,
            }
            for entry in tree
            if entry.package_license is not None
        ]
        license_ids = self.writer.ensure("python_package_license", license_rows)
        rows = []
        for position, entry in enumerate(tree):
            lic = entry.package_license
            license_id = (
                license_ids[(lic.license.full_name, lic.license.identifier_spdx, lic.license_version)]
                if lic
                else None
            )
            entity_id = entity_ids[(names[position], versions[position], indexes[position])]
            rows.append(
                (
                    names[position],
                    versions[position],
                    indexes[position],
                    entity_id,
                    metadata_of[position],
                    license_id,
                    lic.warning if lic else None,
                )
            )
        version_rows = self._version_rows(rows)
        version_ids = self.writer.ensure("python_package_version", version_rows)
        env = self.environment
        version_of = [
            version_ids[(name, version, index_id, env.os_name, env.os_version, env.python_version)]
            for name, version, index_id, *_rest in rows
        ]
        self._solved([(version_id, False, False, False, None) for version_id in version_of])
        self._artifacts(tree, [row[3] for row in rows])
        self._imports(tree, version_of)
        return version_of

    def _multi_valued(self, tree: list[SolverTreeEntry], metadata_of: list[int]) -> None:
        for attribute, (value_table, column, link_table) in _MULTI.items():
            pairs = [
                (metadata_id, value)
                for entry, metadata_id in zip(tree, metadata_of, strict=True)
                for value in getattr(entry.importlib_metadata.metadata, attribute) or []
            ]
            ids = self.writer.ensure(value_table, [{column: value} for _m, value in sorted(set(pairs))])
            self.writer.ensure(
                link_table,
                [{"python_package_metadata_id": m, f"{value_table}_id": ids[(value,)]} for m, value in pairs],
            )
        urls = [
            (metadata_id, *_project_url(value))
            for entry, metadata_id in zip(tree, metadata_of, strict=True)
            for value in entry.importlib_metadata.metadata.Project_URL or []
        ]
        url_ids = self.writer.ensure(
            "python_package_metadata_project_url", [{"url": url, "label": label} for _m, label, url in urls]
        )
        self.writer.ensure(
            "has_metadata_project_url",
            [
                {
                    "python_package_metadata_id": m,
                    "python_package_metadata_project_url_id": url_ids[(url, label)],
                }
                for m, label, url in urls
            ],
        )
        distutils = [
            (metadata_id, value, kind)
            for entry, metadata_id in zip(tree, metadata_of, strict=True)
            for attribute, kind in _DISTUTILS.items()
            for value in getattr(entry.importlib_metadata.metadata, attribute) or []
        ]
        distutils_ids = self.writer.ensure(
            "python_package_metadata_distutils",
            [{"distutils": value, "distutils_type": kind} for _m, value, kind in distutils],
        )
        self.writer.ensure(
            "has_metadata_distutils",
            [
                {
                    "python_package_metadata_id": m,
                    "python_package_metadata_distutils_id": distutils_ids[(value, kind)],
                }
                for m, value, kind in distutils
            ],
        )

    def _solved(self, rows: list[tuple[int, bool, bool, bool, bool | None]]) -> None:
        self.writer.ensure(
            "solved",
            [
                {
                    "ecosystem_solver_id": self.solver_id,
                    "version_id": version_id,
                    "datetime": self.datetime,
                    "document_id": self.document_id.rsplit("/", 1)[-1],
                    "duration": self.document.metadata.duration,
                    "error": error,
                    "error_unparseable": unparseable,
                    "error_unsolvable": unsolvable,
                    "is_provided": is_provided,
                }
                for version_id, error, unparseable, unsolvable, is_provided in rows
            ],
        )

    def _artifacts(self, tree: list[SolverTreeEntry], entity_ids: list[int]) -> None:
        pairs = [
            (entity_id, digest)
            for entry, entity_id in zip(tree, entity_ids, strict=True)
            for digest in entry.sha256
        ]
        ids = self.writer.ensure(
            "python_artifact",
            [
                {"artifact_hash_sha256": digest, "artifact_name": None, "present": True}
                for _e, digest in pairs
            ],
        )
        self.writer.ensure(
            "has_artifact",
            [
                {"python_artifact_id": ids[(digest, None)], "python_package_version_entity_id": entity_id}
                for entity_id, digest in pairs
            ],
        )

    def _imports(self, tree: list[SolverTreeEntry], version_ids: list[int]) -> None:
        pairs = [
            (version_id, name)
            for entry, version_id in zip(tree, version_ids, strict=True)
            for name in entry.packages or []
        ]
        ids = self.writer.ensure("import_package", [{"import_package_name": name} for _v, name in pairs])
        self.writer.ensure(
            "found_import_package",
            [{"python_package_version_id": v, "import_package_id": ids[(name,)]} for v, name in pairs],
        )

    def _failures(self) -> None:
        """errors, unresolved (`===x` only) and unparsed (`name===x` only) become solved rows with flags."""
        result = self.document.result
        failed: list[tuple[str, str | None, int | None, bool, bool, bool | None]] = []
        for error in result.errors:
            failed.append(
                (
                    error.package_name,
                    error.package_version,
                    self.index_ids[error.index_url],
                    False,
                    False,
                    error.is_provided_package_version,
                )
            )
        for item in result.unresolved:
            if pinned := _PINNED.match(item.version_spec.strip()):
                failed.append(
                    (
                        item.package_name,
                        pinned["version"],
                        self.index_ids[item.index_url],
                        False,
                        True,
                        item.is_provided_package_version,
                    )
                )
        for unparsed in result.unparsed:
            if match := _UNPARSED.match(unparsed.requirement.strip()):
                failed.append((match["name"], match["version"], None, True, False, None))
        if not failed:
            return
        keys = [(normalize.package_name(n), normalize.package_version(v), i) for n, v, i, *_flags in failed]
        entity_ids = self._entities(keys)
        rows = [(n, v, i, entity_ids[(n, v, i)], None, None, None) for n, v, i in keys]
        version_ids = self.writer.ensure("python_package_version", self._version_rows(rows))
        env = self.environment
        self._solved(
            [
                (
                    version_ids[(n, v, i, env.os_name, env.os_version, env.python_version)],
                    not (up or us),
                    up,
                    us,
                    provided,
                )
                for (n, v, i), (*_k, up, us, provided) in zip(keys, failed, strict=True)
            ]
        )

    def _dependencies(self, tree: list[SolverTreeEntry], version_ids: list[int]) -> None:
        """Every resolved version of every dependency: an entity (no index) and a depends_on edge."""
        edges = []
        for entry, version_id in zip(tree, version_ids, strict=True):
            for dependency in entry.dependencies:
                name = normalize.package_name(dependency.package_name)
                extra = ",".join(sorted(dependency.extra)) if dependency.extra else None
                version_range = dependency.required_version or dependency.specifier or "*"
                for resolved in dependency.resolved_versions:
                    for version in resolved.versions:
                        edges.append(
                            (
                                name,
                                normalize.package_version(version),
                                version_id,
                                version_range,
                                dependency.marker,
                                extra,
                                bool(dependency.marker_evaluation_result),
                            )
                        )
        entity_ids = self._entities({(name, version, None) for name, version, *_rest in edges})
        self.writer.ensure(
            "depends_on",
            [
                {
                    "entity_id": entity_ids[(name, version, None)],
                    "version_id": version_id,
                    "version_range": version_range,
                    "marker": marker,
                    "extra": extra,
                    "marker_evaluation_result": evaluation,
                }
                for name, version, version_id, version_range, marker, extra, evaluation in edges
            ],
        )


def _project_url(value: str) -> tuple[str | None, str]:
    """`Label, https://...` -> (label, url); a bare URL has no label."""
    label, separator, url = value.partition(",")
    return (label.strip(), url.strip()) if separator else (None, value.strip())


def write_solver_result(writer: SetWriter, document: SolverDocument) -> None:
    """Write one validated solver document (inside the caller's transaction)."""
    _SolverWrite(writer, document).run()
