-- Document ids of the solver records (solved rows) of a package version in the environment the filters
-- name; the newest first with :sort, else by document id.
SELECT s.document_id AS document_id
FROM solved AS s
JOIN python_package_version AS v ON v.id = s.version_id
LEFT OUTER JOIN python_package_index AS i ON i.id = v.python_package_index_id
WHERE v.package_name = :package_name
  AND (:package_version IS NULL OR v.package_version = :package_version)
  AND (:index_url IS NULL OR i.url = :index_url)
  AND (:os_name IS NULL OR v.os_name = :os_name)
  AND (:os_version IS NULL OR v.os_version = :os_version)
  AND (:python_version IS NULL OR v.python_version = :python_version)
ORDER BY CASE WHEN :sort THEN s.datetime END DESC, s.document_id
