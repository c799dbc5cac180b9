-- The packages depending on a package (of that version; NULL: any), directly or transitively, in the
-- environment the filters name. A recursive UNION never revisits a row and the graph is finite, so the
-- walk stops by itself; with :max_depth a row carries its depth (otherwise the depth stays 1, so a cycle
-- revisits the same rows) and the bound stops it.
WITH RECURSIVE dependents (name, version, depth) AS (
    SELECT v.package_name, v.package_version, 1 FROM depends_on d
    JOIN python_package_version_entity e ON e.id = d.entity_id
    JOIN python_package_version v ON v.id = d.version_id
    WHERE e.package_name = :package_name
      AND (CAST(:package_version AS text) IS NULL OR e.package_version = :package_version)
      AND (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name)
      AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version)
      AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version)
  UNION
    SELECT v.package_name, v.package_version,
           CASE WHEN CAST(:max_depth AS integer) IS NULL THEN 1 ELSE t.depth + 1 END
    FROM dependents t
    JOIN python_package_version_entity e ON e.package_name = t.name AND e.package_version = t.version
    JOIN depends_on d ON d.entity_id = e.id
    JOIN python_package_version v ON v.id = d.version_id
    WHERE (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name)
      AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version)
      AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version)
      AND (CAST(:max_depth AS integer) IS NULL OR t.depth < :max_depth)
)
SELECT DISTINCT name, version FROM dependents ORDER BY name, version
