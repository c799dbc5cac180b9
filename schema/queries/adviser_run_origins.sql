-- Origins of adviser runs (one per run, each once with :distinct), by origin and newest run first; with
-- package filters, of the runs whose user stack's lock pins a package entity the filters name.
SELECT runs.origin AS origin
FROM (
    SELECT a.origin, a.datetime, a.id, row_number() OVER (PARTITION BY a.origin ORDER BY a.datetime DESC, a.id) AS nth
    FROM adviser_run AS a
    WHERE a.origin IS NOT NULL
      AND (
        :package_name IS NULL AND :package_version IS NULL AND :index_url IS NULL
        OR EXISTS (
          SELECT 1
          FROM external_python_software_stack AS s
          JOIN has_external_python_requirement_lock AS h
            ON h.external_python_requirements_locked_id = s.external_python_requirements_lock_id
          JOIN python_package_version_entity AS e ON e.id = h.python_package_version_entity_id
          LEFT OUTER JOIN python_package_index AS i ON i.id = e.python_package_index_id
          WHERE s.id = a.user_software_stack_id
            AND (:package_name IS NULL OR e.package_name = :package_name)
            AND (:package_version IS NULL OR e.package_version = :package_version)
            AND (:index_url IS NULL OR i.url = :index_url)
        )
      )
) AS runs
WHERE NOT :distinct OR runs.nth = 1
ORDER BY runs.origin, runs.datetime DESC, runs.id
LIMIT :count OFFSET :start_offset
