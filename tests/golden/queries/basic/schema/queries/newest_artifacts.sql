SELECT DISTINCT ON (a.artifact_name) a.artifact_name, a.seen_at, a.size
FROM has_artifact AS a
JOIN python_package_version_entity AS e ON e.id = a.python_package_version_entity_id
WHERE CAST(:package_name AS text) IS NULL OR e.package_name = :package_name
ORDER BY a.artifact_name, a.seen_at DESC
