-- URLs of the enabled indexes starting with a prefix.
SELECT python_package_index.url AS url
FROM python_package_index
WHERE python_package_index.enabled AND python_package_index.url LIKE :prefix || '%'
ORDER BY url
LIMIT :count OFFSET :start_offset
