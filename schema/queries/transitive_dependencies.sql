-- Every dependency edge reachable from the roots: one root (package_name, package_version, index_url)
-- or several (the root_* arrays, numbered from 0); each query sharing this file fixes the other's
-- parameters to NULL. An entity resolves to the package versions of that name and version solved in the
-- same environment, on any index; a dependency not solved there has url NULL and is not walked further.
-- extras narrows the root's edges only (a NULL member: "no extra"), marker_evaluation_result every
-- edge. A recursive UNION never revisits a row; with max_depth a row carries its depth (otherwise it
-- stays 0, so a cycle revisits the same rows) and the bound stops the walk.
WITH RECURSIVE roots (root, name, version, url) AS (
    SELECT CAST(r.root AS integer) - 1, r.name, r.version, r.url
    FROM unnest(CAST(:root_names AS text[]), CAST(:root_versions AS text[]), CAST(:root_urls AS text[]))
         WITH ORDINALITY AS r(name, version, url, root)
  UNION ALL
    SELECT 0, CAST(:package_name AS text), CAST(:package_version AS text), CAST(:index_url AS text)
    WHERE CAST(:package_name AS text) IS NOT NULL
),
walk (root, version_id, is_root, depth) AS (
    SELECT r.root, v.id, true, 0 FROM roots r
    JOIN python_package_version v ON v.package_name = r.name AND v.package_version = r.version
    JOIN python_package_index i ON i.id = v.python_package_index_id AND i.url = r.url
    WHERE (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name)
      AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version)
      AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version)
  UNION
    SELECT w.root, c.id, false, CASE WHEN CAST(:max_depth AS integer) IS NULL THEN 0 ELSE w.depth + 1 END
    FROM walk w
    JOIN python_package_version p ON p.id = w.version_id
    JOIN depends_on d ON d.version_id = w.version_id
    JOIN python_package_version_entity e ON e.id = d.entity_id
    JOIN python_package_version c ON c.package_name = e.package_name AND c.package_version = e.package_version
      AND c.os_name = p.os_name AND c.os_version = p.os_version AND c.python_version = p.python_version
    WHERE (CAST(:marker_evaluation_result AS boolean) IS NULL OR d.marker_evaluation_result = :marker_evaluation_result)
      AND (NOT w.is_root OR CAST(:extras AS text[]) IS NULL
           OR EXISTS (SELECT FROM unnest(CAST(:extras AS text[])) AS x(extra) WHERE x.extra IS NOT DISTINCT FROM d.extra))
      AND (CAST(:max_depth AS integer) IS NULL OR w.depth < :max_depth)
)
SELECT DISTINCT w.root, p.package_name AS name, p.package_version AS version, pi.url,
       e.package_name AS dependency, e.package_version AS dependency_version, ci.url AS dependency_url
FROM (SELECT DISTINCT root, version_id, is_root FROM walk) w
JOIN python_package_version p ON p.id = w.version_id
LEFT JOIN python_package_index pi ON pi.id = p.python_package_index_id
JOIN depends_on d ON d.version_id = w.version_id
JOIN python_package_version_entity e ON e.id = d.entity_id
LEFT JOIN python_package_version c ON c.package_name = e.package_name AND c.package_version = e.package_version
  AND c.os_name = p.os_name AND c.os_version = p.os_version AND c.python_version = p.python_version
LEFT JOIN python_package_index ci ON ci.id = c.python_package_index_id
WHERE (CAST(:marker_evaluation_result AS boolean) IS NULL OR d.marker_evaluation_result = :marker_evaluation_result)
  AND (NOT w.is_root OR CAST(:extras AS text[]) IS NULL
       OR EXISTS (SELECT FROM unnest(CAST(:extras AS text[])) AS x(extra) WHERE x.extra IS NOT DISTINCT FROM d.extra))
ORDER BY 1, 2, 3, 4, 5, 6, 7
