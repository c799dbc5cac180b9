-- Per-row bytes of a heap tuple: 23-byte header plus null bitmap, aligned to 8, plus the data aligned to
-- 8, plus its 4-byte line pointer. A page keeps 24 bytes of header; fillfactor (default 100) leaves the
-- rest. Sizes in MiB are rounded half to even on double precision (round(float8) is rint), as Python's round.
WITH widths AS (
    SELECT s.schemaname, s.tablename,
           sum((1 - s.null_frac) * s.avg_width) AS data_width,
           bool_or(s.null_frac > 0) AS has_nulls,
           count(*) AS columns
    FROM pg_stats s WHERE s.schemaname = current_schema() GROUP BY 1, 2
),
tables AS (
    SELECT n.nspname AS schema_name, c.relname AS table_name, c.relpages, c.reltuples,
           current_setting('block_size')::integer AS block_size,
           coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::integer
                     FROM unnest(c.reloptions) AS o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
           w.data_width, w.has_nulls, w.columns
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN widths w ON w.schemaname = n.nspname AND w.tablename = c.relname
    WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.reltuples >= 0
),
estimates AS (
    SELECT *, CASE WHEN reltuples = 0 THEN 0 ELSE ceil(
        reltuples * (
            ceil((23 + CASE WHEN has_nulls THEN ceil(columns / 8.0) ELSE 0 END) / 8.0) * 8
            + ceil(data_width / 8.0) * 8 + 4
        ) / ((block_size - 24) * fillfactor / 100.0)
    ) END AS expected_pages
    FROM tables
),
sizes AS (
    SELECT schema_name, table_name, reltuples, relpages - expected_pages AS excess,
           relpages::bigint * block_size AS real_size, expected_pages::bigint * block_size AS expected_size
    FROM estimates
)
SELECT current_database() AS databasename, schema_name AS schemaname, table_name AS tablename,
       true AS can_estimate,
       real_size::float8 AS table_bytes,
       round(real_size::float8 * 1000 / 1048576) / 1000 AS table_mb,
       expected_size::float8 AS expected_bytes,
       round(expected_size::float8 * 1000 / 1048576) / 1000 AS expected_mb,
       CASE WHEN real_size = 0 THEN 0.0::float8
            ELSE round(greatest(real_size - expected_size, 0)::float8 * 100 / real_size::float8) END AS pct_bloat,
       round(greatest(real_size - expected_size, 0)::float8 * 100 / 1048576) / 100 AS mb_bloat,
       reltuples::float8 AS est_rows
FROM sizes ORDER BY excess DESC, table_name
