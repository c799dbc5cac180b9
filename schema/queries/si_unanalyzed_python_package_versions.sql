-- Solved package versions (each once, whatever the environments) whose entity has no si_aggregated row.
SELECT DISTINCT v.package_name AS package_name, v.package_version AS package_version, i.url AS index_url
FROM python_package_version AS v
JOIN python_package_index AS i ON v.python_package_index_id = i.id
WHERE (:package_name IS NULL OR v.package_name = :package_name)
  AND (:package_version IS NULL OR v.package_version = :package_version)
  AND (:index_url IS NULL OR i.url = :index_url)
  AND NOT EXISTS (SELECT 1 FROM si_aggregated AS s WHERE s.python_package_version_entity_id = v.entity_id)
ORDER BY package_name, package_version, index_url
LIMIT :count OFFSET :start_offset
