-- Names of the solved package versions in the environment the filters name: one per row, or each name once
-- with :distinct; :like is an SQL LIKE pattern; sorted by name with :sort, else in the order they were recorded.
SELECT named.package_name AS package_name
FROM (
    SELECT v.package_name, v.id, row_number() OVER (PARTITION BY v.package_name ORDER BY v.id) AS nth
    FROM python_package_version AS v
    WHERE (:os_name IS NULL OR v.os_name = :os_name)
      AND (:os_version IS NULL OR v.os_version = :os_version)
      AND (:python_version IS NULL OR v.python_version = :python_version)
      AND (:like IS NULL OR v.package_name LIKE :like)
) AS named
WHERE NOT :distinct OR named.nth = 1
ORDER BY CASE WHEN :sort THEN named.package_name END, named.id
LIMIT :count OFFSET :start_offset
