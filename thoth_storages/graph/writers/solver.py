"""Solver documents -> ecosystem_solver, packages, metadata, artifacts, imports, dependencies, solved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from generated import rows
from generated.documents.solver import CoreMetadata, PackageLicense, SolverDocument, SolverTreeEntry
from generated.models import DistutilsType
from generated.rows import RowTable

from ...documents import parse_datetime
from .. import normalize
from ..bulk import SetWriter, ids_in_order, plan
from ..normalize import solver_environment
from ..steps import Ensure, Steps, run_alone
from .stacks import entity_steps

_PINNED = re.compile(r"^===?(?P<version>[^,;\s]+)$")

Value = TypeVar("Value", bound=Mapping[str, object])
Link = TypeVar("Link", bound=Mapping[str, object])


@dataclass(frozen=True)
class _Multi(Generic[Value, Link]):
    """A multi-valued core-metadata key: its value table and the table linking metadata to values."""

    values: RowTable[Value, Any]
    value_row: Callable[[str], Value]
    links: RowTable[Link, Any]
    link_row: Callable[[int, int], Link]
    """The link row of (metadata id, value id)."""


_MULTI: dict[str, _Multi[Any, Any]] = {
    "Classifier": _Multi(
        rows.PYTHON_PACKAGE_METADATA_CLASSIFIER,
        lambda v: {"classifier": v},
        rows.HAS_METADATA_CLASSIFIER,
        lambda m, v: {"python_package_metadata_id": m, "python_package_metadata_classifier_id": v},
    ),
    "Platform": _Multi(
        rows.PYTHON_PACKAGE_METADATA_PLATFORM,
        lambda v: {"platform": v},
        rows.HAS_METADATA_PLATFORM,
        lambda m, v: {"python_package_metadata_id": m, "python_package_metadata_platform_id": v},
    ),
    "Supported_Platform": _Multi(
        rows.PYTHON_PACKAGE_METADATA_SUPPORTED_PLATFORM,
        lambda v: {"supported_platform": v},
        rows.HAS_METADATA_SUPPORTED_PLATFORM,
        lambda m, v: {"python_package_metadata_id": m, "python_package_metadata_supported_platform_id": v},
    ),
    "Requires_External": _Multi(
        rows.PYTHON_PACKAGE_METADATA_REQUIRES_EXTERNAL,
        lambda v: {"dependency": v},
        rows.HAS_METADATA_REQUIRES_EXTERNAL,
        lambda m, v: {"python_package_metadata_id": m, "python_package_metadata_requires_external_id": v},
    ),
    "Provides_Extra": _Multi(
        rows.PYTHON_PACKAGE_METADATA_PROVIDES_EXTRA,
        lambda v: {"optional_feature": v},
        rows.HAS_METADATA_PROVIDES_EXTRA,
        lambda m, v: {"python_package_metadata_id": m, "python_package_metadata_provides_extra_id": v},
    ),
}
"""Multi-valued core-metadata keys by document key."""
_DISTUTILS: dict[str, DistutilsType] = {
    "Requires_Dist": "REQUIRED",
    "Provides_Dist": "PROVIDED",
    "Obsoletes_Dist": "OBSOLETE",
}


def _metadata_row(metadata: CoreMetadata) -> rows.PythonPackageMetadataRow:
    return {
        "author": metadata.Author,
        "author_email": metadata.Author_email,
        "download_url": metadata.Download_URL,
        "home_page": metadata.Home_page,
        "keywords": metadata.Keywords,
        "license": metadata.License,
        "maintainer": metadata.Maintainer,
        "maintainer_email": metadata.Maintainer_email,
        "metadata_version": metadata.Metadata_Version,
        "name": metadata.Name,
        "summary": metadata.Summary,
        "version": metadata.Version,
        "requires_python": metadata.Requires_Python,
        "description": metadata.Description,
        "description_content_type": metadata.Description_Content_Type,
    }


class _SolverWrite:
    """One document's write as steps (`steps`), four requests per slice of its tree: the tables that
    refer to nothing, the entities, the solver rules of their names, the solved versions; then every
    link table, deferred by the writer to its flush. Ids are looked up by natural key, so several
    documents' requests can be answered by one statement (`run_together`)."""

    def __init__(self, writer: SetWriter, document: SolverDocument) -> None:
        self.writer = writer
        self.document = document
        self.document_id = document.metadata.document_id or ""
        writer.document = self.document_id
        self.environment = solver_environment(self.document_id)
        self.datetime = parse_datetime(
            document.metadata.datetime, document.metadata.document_id, "$.metadata.datetime"
        )

    def steps(self, slices: Iterable[Sequence[SolverTreeEntry]], *, flush: bool) -> Steps:
        """The write as steps (see `steps`), the tree slice by slice, the failures with the first;
        with `flush`, the link rows of each slice are written before the next is read (a streamed
        document: memory stays bounded), else they wait for the writer's flush."""
        failed = self._failed()
        written = False
        for tree in slices:
            yield from self._slice(tree, failed)
            if flush:
                self.writer.flush()
            failed, written = [], True
        if not written:
            yield from self._slice([], failed)

    def _slice(
        self,
        tree: Sequence[SolverTreeEntry],
        failed: list[tuple[str, str | None, str | None, tuple[bool, bool, bool | None]]],
    ) -> Steps:
        env = self.environment
        metadata = [entry.importlib_metadata.metadata for entry in tree]
        multi = {
            attribute: [
                (position, value)
                for position, m in enumerate(metadata)
                for value in getattr(m, attribute) or []
            ]
            for attribute in _MULTI
        }
        urls = [(p, *_project_url(value)) for p, m in enumerate(metadata) for value in m.Project_URL or []]
        distutils = [
            (p, value, kind)
            for p, m in enumerate(metadata)
            for attribute, kind in _DISTUTILS.items()
            for value in getattr(m, attribute) or []
        ]
        digests = [(p, digest) for p, entry in enumerate(tree) for digest in entry.sha256]
        imports = [(p, name) for p, entry in enumerate(tree) for name in entry.packages or []]
        licenses = [entry.package_license for entry in tree]
        warnings = [lic.warning if lic else None for lic in licenses]
        index_urls = sorted({entry.index_url for entry in tree} | {url for *_k, url, _f in failed if url})
        metadata_rows = [_metadata_row(m) for m in metadata]
        license_rows = [_license_row(lic) if lic is not None else None for lic in licenses]
        solver_row: rows.EcosystemSolverRow = {
            "ecosystem": "python",
            "solver_name": env.solver_name,
            "solver_version": self.document.metadata.analyzer_version,
            "os_name": env.os_name,
            "os_version": env.os_version,
            "python_version": env.python_version,
        }
        independent = Ensure.of(
            rows.ECOSYSTEM_SOLVER([solver_row]),
            rows.PYTHON_PACKAGE_INDEX(
                {
                    "url": normalize.index_url(url, self.writer.index_aliases),
                    "verify_ssl": True,
                    "enabled": False,
                    "only_if_package_seen": True,
                }
                for url in index_urls
            ),
            rows.PYTHON_PACKAGE_METADATA(metadata_rows),
            rows.PYTHON_PACKAGE_LICENSE(row for row in license_rows if row is not None),
            *(
                multi_key.values(
                    multi_key.value_row(value) for _p, value in sorted(set(multi[attribute]), key=repr)
                )
                for attribute, multi_key in _MULTI.items()
            ),
            rows.PYTHON_PACKAGE_METADATA_PROJECT_URL({"url": url, "label": label} for _p, label, url in urls),
            rows.PYTHON_PACKAGE_METADATA_DISTUTILS(
                {"distutils": value, "distutils_type": kind} for _p, value, kind in distutils
            ),
            rows.PYTHON_ARTIFACT(
                {"artifact_hash_sha256": digest, "artifact_name": None, "present": True}
                for _p, digest in digests
            ),
            rows.IMPORT_PACKAGE({"import_package_name": name} for _p, name in imports),
        )
        yield independent
        ids = independent.ids  # with other documents' rows when answered together: look up by key
        self.solver_id = ids["ecosystem_solver"][plan("ecosystem_solver").key(solver_row)]
        index_of = {
            url: ids["python_package_index"][(normalize.index_url(url, self.writer.index_aliases),)]
            for url in index_urls
        }
        metadata_key = plan("python_package_metadata").key
        metadata_of = [ids["python_package_metadata"][metadata_key(row)] for row in metadata_rows]
        license_key = plan("python_package_license").key
        license_of = [
            ids["python_package_license"][license_key(row)] if row is not None else None
            for row in license_rows
        ]

        # Entities: the tree's, the failures' and every resolved dependency version's (no index).
        names = [normalize.package_name(entry.package_name) for entry in tree]
        versions = [
            normalize.package_version(entry.package_version or entry.package_version_requested)
            for entry in tree
        ]
        indexes = [index_of[entry.index_url] for entry in tree]
        failures = [
            (normalize.package_name(n), normalize.package_version(v), index_of[url] if url else None, flags)
            for n, v, url, flags in failed
        ]
        edges = self._edges(tree)
        entity_ids = yield from entity_steps(
            self.writer,
            [*zip(names, versions, indexes, strict=True)]
            + [(n, v, i) for n, v, i, _f in failures]
            + [(name, version, None) for name, version, *_rest in edges],
        )

        # Solved versions: the tree's with their metadata and license, then the failures'.
        version_rows = [
            self._version_row(
                names[p],
                versions[p],
                indexes[p],
                entity_ids[(names[p], versions[p], indexes[p])],
                metadata_of[p],
                license_of[p],
                warnings[p] or None,  # 0.74.2 stores only a raised warning, else NULL
            )
            for p in range(len(tree))
        ] + [self._version_row(n, v, i, entity_ids[(n, v, i)], None, None, None) for n, v, i, _f in failures]
        solved_versions = Ensure.of(rows.PYTHON_PACKAGE_VERSION(version_rows))
        yield solved_versions
        version_of = ids_in_order(
            solved_versions.ids["python_package_version"], "python_package_version", version_rows
        )
        tree_versions, failed_versions = version_of[: len(tree)], version_of[len(tree) :]

        # Link tables: deferred by the sync's writer to one round trip at its flush.
        # As 0.74.2: `error` is set on every failure row (errors, unresolved and unparsed alike).
        solved = [(v, False, False, False, None) for v in tree_versions] + [
            (v, True, unparseable, unsolvable, provided)
            for v, (*_k, (unparseable, unsolvable, provided)) in zip(failed_versions, failures, strict=True)
        ]
        self.writer.ensure(rows.SOLVED([self._solved_row(*row) for row in solved]))
        for attribute, multi_key in _MULTI.items():
            value_ids = ids[multi_key.values.name]
            self.writer.ensure(
                multi_key.links(
                    multi_key.link_row(metadata_of[p], value_ids[(value,)]) for p, value in multi[attribute]
                )
            )
        self.writer.ensure(
            rows.HAS_METADATA_PROJECT_URL(
                [
                    {
                        "python_package_metadata_id": metadata_of[p],
                        "python_package_metadata_project_url_id": ids["python_package_metadata_project_url"][
                            (url, label)
                        ],
                    }
                    for p, label, url in urls
                ]
            ),
        )
        self.writer.ensure(
            rows.HAS_METADATA_DISTUTILS(
                [
                    {
                        "python_package_metadata_id": metadata_of[p],
                        "python_package_metadata_distutils_id": ids["python_package_metadata_distutils"][
                            (value, kind)
                        ],
                    }
                    for p, value, kind in distutils
                ]
            ),
        )
        self.writer.ensure(
            rows.HAS_ARTIFACT(
                [
                    {
                        "python_artifact_id": ids["python_artifact"][(digest, None)],
                        "python_package_version_entity_id": entity_ids[(names[p], versions[p], indexes[p])],
                    }
                    for p, digest in digests
                ]
            ),
        )
        self.writer.ensure(
            rows.FOUND_IMPORT_PACKAGE(
                [
                    {
                        "python_package_version_id": tree_versions[p],
                        "import_package_id": ids["import_package"][(name,)],
                    }
                    for p, name in imports
                ]
            ),
        )
        self.writer.ensure(
            rows.DEPENDS_ON(
                [
                    {
                        "entity_id": entity_ids[(name, version, None)],
                        "version_id": tree_versions[p],
                        "version_range": version_range,
                        "marker": marker,
                        "extra": extra,
                        "marker_evaluation_result": evaluation,
                    }
                    for name, version, p, version_range, marker, extra, evaluation in edges
                ]
            ),
        )

    def _version_row(
        self,
        name: str,
        version: str | None,
        index_id: int | None,
        entity_id: int,
        metadata_id: int | None,
        license_id: int | None,
        warning: bool | None,
    ) -> rows.PythonPackageVersionRow:
        env = self.environment
        return {
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

    def _solved_row(
        self, version_id: int, error: bool, unparseable: bool, unsolvable: bool, is_provided: bool | None
    ) -> rows.SolvedRow:
        return {
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

    def _failed(self) -> list[tuple[str, str | None, str | None, tuple[bool, bool, bool | None]]]:
        """errors, unresolved (`===x` only) and unparsed (`name===x` only), as (name, version, index URL,
        (unparseable, unsolvable, is_provided))."""
        result = self.document.result
        failed: list[tuple[str, str | None, str | None, tuple[bool, bool, bool | None]]] = [
            (
                error.package_name,
                error.package_version,
                error.index_url,
                # legacy solver output has no flag: provided, as 0.74.2 reads it
                (False, False, error.is_provided_package_version is not False),
            )
            for error in result.errors
        ]
        for item in result.unresolved:
            if pinned := _PINNED.match(item.version_spec.strip()):
                failed.append(
                    (
                        item.package_name,
                        pinned["version"],
                        item.index_url,
                        (False, True, None),  # 0.74.2 records is_provided for errors only
                    )
                )
        for unparsed in result.unparsed:
            # As 0.74.2: a requirement pinned with `===` is recorded under the text before it, even when
            # that text is what failed to parse (`flask[async===2.2.2` -> `flask[async`).
            name, separator, version = unparsed.requirement.rpartition("===")
            if separator:
                failed.append((name, version, None, (True, False, None)))
        return failed

    @staticmethod
    def _edges(
        tree: Sequence[SolverTreeEntry],
    ) -> list[tuple[str, str | None, int, str, str | None, str | None, bool]]:
        """Every resolved version of every dependency: (name, version, tree position, version range,
        marker, extra, marker evaluation result)."""
        edges = []
        for position, entry in enumerate(tree):
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
                                position,
                                version_range,
                                dependency.marker,
                                extra,
                                bool(dependency.marker_evaluation_result),
                            )
                        )
        return edges


def _license_row(lic: PackageLicense) -> rows.PythonPackageLicenseRow:
    return {
        "license_name": lic.license.full_name,
        "license_identifier": lic.license.identifier_spdx,
        "license_version": lic.license_version,
    }


def _project_url(value: str) -> tuple[str | None, str]:
    """`Label, https://...` -> (label, url); a bare URL has no label."""
    label, separator, url = value.partition(",")
    return (label.strip(), url.strip()) if separator else (None, value.strip())


def write_solver_result(
    writer: SetWriter, document: SolverDocument, tree: Iterable[Sequence[SolverTreeEntry]] | None = None
) -> None:
    """Write one validated solver document (inside the caller's transaction); `tree` gives its tree
    in slices when the document holds none (a document streamed from a file, see solver_stream),
    whose link rows are then flushed slice by slice."""
    write = _SolverWrite(writer, document)
    run_alone(writer, write.steps([document.result.tree] if tree is None else tree, flush=tree is not None))


def solver_steps(writer: SetWriter, document: SolverDocument) -> Steps:
    """A whole solver document's write as steps, for writing several documents together (`run_together`)."""
    return _SolverWrite(writer, document).steps([document.result.tree], flush=False)
