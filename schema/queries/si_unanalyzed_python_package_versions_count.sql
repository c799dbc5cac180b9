-- The rows si_unanalyzed_python_package_versions.sql lists, counted (without pagination).
SELECT count(*) AS count
FROM (
    SELECT v.package_name, v.package_version, i.url AS index_url, v.id,
           row_number() OVER (PARTITION BY v.package_name, v.package_version, i.url ORDER BY v.id) AS nth
    FROM python_package_version AS v
    JOIN python_package_index AS i ON v.python_package_index_id = i.id
    WHERE v.package_version IS NOT NULL
      AND i.enabled
      AND v.provides_source_distro = :provides_source_distro
      AND (:package_name IS NULL OR v.package_name = :package_name)
      AND (:package_version IS NULL OR v.package_version = :package_version)
      AND (:index_url IS NULL OR i.url = :index_url)
      AND NOT EXISTS (SELECT 1 FROM si_aggregated AS s WHERE s.python_package_version_entity_id = v.entity_id)
      AND EXISTS (SELECT 1 FROM si_aggregated_run AS r WHERE r.error = :si_error)
) AS found
WHERE NOT :distinct OR found.nth = 1
