SELECT DISTINCT i.url
FROM python_package_index AS i
JOIN python_package_version_entity AS e ON e.python_package_index_id = i.id
ORDER BY i.url
OFFSET :start_offset LIMIT :count
