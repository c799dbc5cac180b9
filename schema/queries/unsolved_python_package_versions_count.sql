-- Entities with a version, on an enabled index, with no solver rule, and no python_package_version row
-- of the same entity in the requested environment (a None filter matches every environment): counted (each once
-- with :distinct; entities are unique, so the same number).
SELECT count(*) AS count
FROM (
    SELECT e.package_name, e.package_version, i.url AS index_url,
           row_number() OVER (PARTITION BY e.package_name, e.package_version, i.url ORDER BY e.package_version, e.id) AS nth
    {{unsolved_entities}}
) AS unsolved WHERE NOT :distinct OR nth = 1
