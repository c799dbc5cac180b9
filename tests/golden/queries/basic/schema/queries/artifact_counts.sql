SELECT e.package_name, e.package_version, a.artifact_name, count(*) AS count
FROM has_artifact AS a JOIN python_package_version_entity AS e ON a.python_package_version_entity_id = e.id
WHERE e.package_name = :package_name AND (CAST(:artifact_name AS text) IS NULL OR a.artifact_name = :artifact_name)
GROUP BY e.package_name, e.package_version, a.artifact_name
ORDER BY e.package_name, e.package_version, a.artifact_name
LIMIT :count OFFSET :start_offset
