-- The package entities nothing solved yet (the unsolved_*.sql queries place it as {{unsolved_entities}}): with a
-- version, on an enabled index, with no solver rule, and no python_package_version row of the same entity in the
-- requested environment (a None filter matches every environment).
FROM python_package_version_entity AS e
JOIN python_package_index AS i ON e.python_package_index_id = i.id
LEFT OUTER JOIN python_package_version_entity_rules_association AS r ON r.python_package_version_entity_id = e.id
WHERE e.package_version IS NOT NULL
  AND i.enabled
  AND r.python_package_version_entity_id IS NULL
  AND (:package_name IS NULL OR e.package_name = :package_name)
  AND (:package_version IS NULL OR e.package_version = :package_version)
  AND (:index_url IS NULL OR i.url = :index_url)
  AND NOT EXISTS (
    SELECT 1 FROM python_package_version AS v
    WHERE v.entity_id = e.id
      AND (:os_name IS NULL OR v.os_name = :os_name)
      AND (:os_version IS NULL OR v.os_version = :os_version)
      AND (:python_version IS NULL OR v.python_version = :python_version)
  )
