-- The named filter entity_filter_sql stands for its conditions.
SELECT i.url AS url
FROM python_package_version_entity AS e JOIN python_package_index AS i ON e.python_package_index_id = i.id
WHERE {{entity_filter_sql}}
ORDER BY url
