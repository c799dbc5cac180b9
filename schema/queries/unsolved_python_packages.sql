-- Entities with a version, on an enabled index, with no solver rule, and no python_package_version row
-- of the same entity in the requested environment (a None filter matches every environment): their (name, index URL),
-- one per unsolved version as the original, each pair once with :distinct.
SELECT package_name AS package_name, index_url AS index_url
FROM (
    SELECT e.package_name, e.package_version, i.url AS index_url,
           row_number() OVER (PARTITION BY e.package_name, i.url ORDER BY e.package_version, e.id) AS nth
    {{unsolved_entities}}
) AS unsolved
WHERE NOT :distinct OR nth = 1
ORDER BY package_name, index_url, package_version
LIMIT :count OFFSET :start_offset
