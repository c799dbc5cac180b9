-- Number of rows error_solved_python_package_versions.sql lists without pagination.
SELECT count(*) AS count FROM (
  SELECT DISTINCT ON (CASE WHEN :distinct THEN 0 ELSE v.id END, v.package_name, v.package_version, i.url) v.id
  FROM python_package_version AS v
  JOIN python_package_index AS i ON i.id = v.python_package_index_id
  WHERE (:package_name IS NULL OR v.package_name = :package_name)
    AND (:package_version IS NULL OR v.package_version = :package_version)
    AND (:index_url IS NULL OR i.url = :index_url)
    AND (:os_name IS NULL OR v.os_name = :os_name)
    AND (:os_version IS NULL OR v.os_version = :os_version)
    AND (:python_version IS NULL OR v.python_version = :python_version)
    AND EXISTS (
      SELECT 1 FROM solved AS s
      WHERE s.version_id = v.id AND s.error
        AND (NOT :unsolvable OR s.error_unsolvable) AND (NOT :unparseable OR s.error_unparseable)
    )
) AS listed
