-- Entities with a version, on an enabled index, with no solver rule, and no python_package_version row
-- of the same entity in the requested environment (a None filter matches every environment): grouped by name, a page
-- of the rows in that order (each (name, version, index) once with :distinct; entities are unique).
SELECT package_name AS package_name, package_version AS package_version, index_url AS index_url
FROM (
    SELECT e.package_name, e.package_version, i.url AS index_url,
           row_number() OVER (PARTITION BY e.package_name, e.package_version, i.url ORDER BY e.package_version, e.id) AS nth
    {{unsolved_entities}}
) AS unsolved
WHERE NOT :distinct OR nth = 1
ORDER BY package_name, package_version, index_url
LIMIT :count OFFSET :start_offset
