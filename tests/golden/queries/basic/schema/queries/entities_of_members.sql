SELECT CAST(m.member AS integer) - 1 AS member, e.id, e.package_name
FROM unnest(CAST(:names AS text[]), CAST(:versions AS text[])) WITH ORDINALITY AS m(name, version, member)
JOIN python_package_version_entity e ON e.package_name = m.name AND e.package_version = m.version
ORDER BY 1, 2
