-- The software environments the filters keep, analysed or not.
SELECT count(DISTINCT e.id) AS count
FROM software_environment AS e
LEFT JOIN package_extract_run AS r ON r.software_environment_id = e.id
WHERE {{software_environment}}
