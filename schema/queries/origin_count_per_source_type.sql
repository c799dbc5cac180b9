-- Distinct origins per source type (runs without an origin are not counted).
SELECT adviser_run.source_type AS source_type, count(DISTINCT adviser_run.origin) AS count
FROM adviser_run
WHERE adviser_run.origin IS NOT NULL
GROUP BY adviser_run.source_type
