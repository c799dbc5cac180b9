"""Traversals of the dependency graph (depends_on), each one recursive CTE in one statement.

A package version (python_package_version, one solver environment) depends on entities (name, version);
an entity resolves to the package versions of that name and version solved in the same environment, on
any index (the original resolved dependencies across indexes too). The walks stop by themselves: a
recursive UNION never revisits a row, and the graph is finite; `max_depth` bounds them further (with it,
a row carries its depth, so the bound is what stops a cycle).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text

from . import normalize
from .adapter import AdapterBase

Package = tuple[str, str | None, str | None]
"""(name, version, index URL); an unresolved dependency has index None."""
DependencyEdge = tuple[Package, Package]

_WALK = """
WITH RECURSIVE roots (root, name, version, url) AS (
    SELECT * FROM unnest(CAST(:root AS integer[]), CAST(:name AS text[]), CAST(:version AS text[]),
                         CAST(:url AS text[]))
),
walk (root, version_id, is_root{depth_column}) AS (
    SELECT r.root, v.id, true{depth_start} FROM roots r
    JOIN python_package_version v ON v.package_name = r.name AND v.package_version = r.version
    JOIN python_package_index i ON i.id = v.python_package_index_id AND i.url = r.url
    WHERE (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name)
      AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version)
      AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version)
  UNION
    SELECT w.root, c.id, false{depth_step} FROM walk w
    JOIN python_package_version p ON p.id = w.version_id
    JOIN depends_on d ON d.version_id = w.version_id
    JOIN python_package_version_entity e ON e.id = d.entity_id
    JOIN python_package_version c ON c.package_name = e.package_name AND c.package_version = e.package_version
      AND c.os_name = p.os_name AND c.os_version = p.os_version AND c.python_version = p.python_version
    WHERE {edge}{depth_bound}
)
SELECT DISTINCT w.root, p.package_name, p.package_version, pi.url, e.package_name, e.package_version, ci.url
FROM (SELECT DISTINCT root, version_id, is_root FROM walk) w
JOIN python_package_version p ON p.id = w.version_id
LEFT JOIN python_package_index pi ON pi.id = p.python_package_index_id
JOIN depends_on d ON d.version_id = w.version_id
JOIN python_package_version_entity e ON e.id = d.entity_id
LEFT JOIN python_package_version c ON c.package_name = e.package_name AND c.package_version = e.package_version
  AND c.os_name = p.os_name AND c.os_version = p.os_version AND c.python_version = p.python_version
LEFT JOIN python_package_index ci ON ci.id = c.python_package_index_id
WHERE {edge}
ORDER BY 1, 2, 3, 4, 5, 6, 7
"""

_EDGE = (
    "(CAST(:marker_evaluation_result AS boolean) IS NULL "
    "OR d.marker_evaluation_result = :marker_evaluation_result) "
    "AND (NOT w.is_root OR CAST(:extras AS text[]) IS NULL OR d.extra = ANY(CAST(:extras AS text[])) "
    "OR (:no_extra AND d.extra IS NULL))"
)


class TraversalMixin(AdapterBase):
    """The three dependency-graph traversals of GraphDatabase."""

    def retrieve_transitive_dependencies_python(
        self,
        package_name: str,
        package_version: str,
        index_url: str,
        *,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        extras: frozenset[str | None] | None = None,
        marker_evaluation_result: bool | None = None,
        max_depth: int | None = None,
    ) -> list[DependencyEdge]:
        """Every dependency edge reachable from the package: `((name, version, url), (dependency name,
        version, url))`, sorted; a dependency not solved in the environment has url None (and is not
        walked further). `extras` narrows the root's edges only (a None member: "no extra");
        `marker_evaluation_result` every edge."""
        root = (package_name, package_version, index_url)
        walked = self._walk(
            [root], os_name, os_version, python_version, extras, marker_evaluation_result, max_depth
        )
        return walked[0]

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
        walked = self._walk(
            list(package_tuples),
            os_name,
            os_version,
            python_version,
            None,
            marker_evaluation_result,
            max_depth,
        )
        return {package: walked[number] for number, package in enumerate(package_tuples)}

    def _walk(
        self,
        roots: Iterable[tuple[str, str, str]],
        os_name: str | None,
        os_version: str | None,
        python_version: str | None,
        extras: frozenset[str | None] | None,
        marker_evaluation_result: bool | None,
        max_depth: int | None,
    ) -> list[list[DependencyEdge]]:
        normalized = [
            (
                normalize.package_name(name),
                normalize.package_version(version) or version,
                normalize.index_url(url),
            )
            for name, version, url in roots
        ]
        os_name, os_version = _environment(os_name, os_version)
        bounded = max_depth is not None
        sql = _WALK.format(
            edge=_EDGE,
            depth_column=", depth" if bounded else "",
            depth_start=", 0" if bounded else "",
            depth_step=", w.depth + 1" if bounded else "",
            depth_bound=" AND w.depth < :max_depth" if bounded else "",
        )
        parameters: dict[str, object] = {
            "root": list(range(len(normalized))),
            "name": [name for name, _, _ in normalized],
            "version": [version for _, version, _ in normalized],
            "url": [url for _, _, url in normalized],
            "os_name": os_name,
            "os_version": os_version,
            "python_version": python_version,
            "marker_evaluation_result": marker_evaluation_result,
            "extras": None if extras is None else sorted(extra for extra in extras if extra is not None),
            "no_extra": extras is not None and None in extras,
            "max_depth": max_depth,
        }
        found: list[list[DependencyEdge]] = [[] for _ in normalized]
        if not normalized:
            return found
        with self._connection() as connection:
            for (
                root,
                name,
                version,
                url,
                dependency,
                dependency_version,
                dependency_url,
            ) in connection.execute(text(sql), parameters):
                found[root].append(((name, version, url), (dependency, dependency_version, dependency_url)))
        return found


def _environment(os_name: str | None, os_version: str | None) -> tuple[str | None, str | None]:
    os_name, os_version = normalize.os_filter(os_name, os_version)
    return os_name, os_version


__all__ = ["DependencyEdge", "Package", "TraversalMixin"]
