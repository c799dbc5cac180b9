-- The installations whose advised stack pins the package (NULL disables a filter): one row per slug, the
-- lowest version and environment.
SELECT DISTINCT ON (k.slug) k.slug, k.runtime_environment_name AS environment_name, k.installation_id,
    k.private, v.package_name, v.package_version, i.url AS index_url
FROM kebechet_github_installations AS k
JOIN python_software_stack AS s ON s.id = k.advised_python_software_stack_id
JOIN has_python_requirement_lock AS h ON h.python_requirements_lock_id = s.python_requirements_lock_id
JOIN python_package_version AS v ON v.id = h.python_package_version_id
LEFT JOIN python_package_index AS i ON i.id = v.python_package_index_id
WHERE v.package_name = :package_name
    AND (CAST(:package_version AS text) IS NULL OR v.package_version = :package_version)
    AND (CAST(:index_url AS text) IS NULL OR i.url = :index_url)
    AND (CAST(:os_name AS text) IS NULL OR v.os_name = :os_name)
    AND (CAST(:os_version AS text) IS NULL OR v.os_version = :os_version)
    AND (CAST(:python_version AS text) IS NULL OR v.python_version = :python_version)
ORDER BY k.slug, v.package_version, k.runtime_environment_name NULLS FIRST, i.url
