SELECT ARRAY(SELECT d.marker FROM depends_on AS d WHERE d.entity_id = e.id ORDER BY 1) AS names
FROM python_package_version_entity AS e
WHERE e.id = :entity_id
