-- Origins of adviser runs per source type; with :distinct each origin counts once (runs without an origin are not counted).
SELECT adviser_run.source_type AS source_type,
       CASE WHEN :distinct THEN count(DISTINCT adviser_run.origin) ELSE count(adviser_run.origin) END AS count
FROM adviser_run
WHERE adviser_run.origin IS NOT NULL
GROUP BY adviser_run.source_type
