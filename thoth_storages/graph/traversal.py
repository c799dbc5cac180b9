"""retrieve_transitive_dependencies_python_multi: the walk of schema/queries/transitive_dependencies.sql
(declared as retrieve_transitive_dependencies_python) for several roots in one statement.

It stays hand-written: its roots are a variadic of (name, version, index URL) tuples, normalised one by
one, and its answer is keyed by the tuples as given (one entry per root, edges or none).
"""

from __future__ import annotations

from generated.queries import traversal

from . import normalize
from .adapter import AdapterBase

Package = tuple[str, str | None, str | None]
"""(name, version, index URL); an unresolved dependency has index None."""
DependencyEdge = tuple[Package, Package]


class TraversalMixin(AdapterBase):
    """The several-roots dependency walk of GraphDatabase."""

    def retrieve_transitive_dependencies_python_multi(
        self,
        *package_tuples: tuple[str, str, str],
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        marker_evaluation_result: bool | None = None,
        max_depth: int | None = None,
    ) -> dict[tuple[str, str, str], list[DependencyEdge]]:
        """retrieve_transitive_dependencies_python for each (name, version, index URL) at once (one
        statement): `{package tuple as given: edges}`."""
        roots = [
            (
                normalize.package_name(name),
                normalize.package_version(version) or version,
                normalize.index_url(url),
            )
            for name, version, url in package_tuples
        ]
        found: list[list[DependencyEdge]] = [[] for _ in roots]
        if roots:
            os_name, os_version = normalize.os_filter(os_name, os_version)
            with self._connection() as connection:
                rows = traversal.retrieve_transitive_dependencies_python_multi(
                    connection,
                    root_names=[name for name, _, _ in roots],
                    root_versions=[version for _, version, _ in roots],
                    root_urls=[url for _, _, url in roots],
                    os_name=os_name,
                    os_version=os_version,
                    python_version=python_version,
                    marker_evaluation_result=marker_evaluation_result,
                    max_depth=max_depth,
                )
            for root, name, version, url, dependency, dependency_version, dependency_url in rows:
                found[root].append(((name, version, url), (dependency, dependency_version, dependency_url)))
        return {package: found[number] for number, package in enumerate(package_tuples)}


__all__ = ["DependencyEdge", "Package", "TraversalMixin"]
