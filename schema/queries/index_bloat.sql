-- A btree leaf tuple: 8-byte header plus the key data (aligned to 8) plus a 4-byte line pointer; a page
-- keeps 24 bytes of header and 16 of btree special space; fillfactor defaults to 90; one metapage.
-- Sizes in MiB are rounded half to even on double precision (round(float8) is rint), as Python's round.
WITH keys AS (
    SELECT i.indexrelid, i.indrelid, sum((1 - s.null_frac) * s.avg_width) AS data_width,
           count(s.attname) AS known, count(*) AS columns
    FROM pg_index i
    CROSS JOIN LATERAL unnest(CAST(i.indkey AS smallint[])) AS k(attnum)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    LEFT JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    LEFT JOIN pg_stats s ON s.schemaname = tn.nspname AND s.tablename = t.relname AND s.attname = a.attname
    GROUP BY 1, 2
),
indexes AS (
    SELECT n.nspname AS schema_name, t.relname AS table_name, c.relname AS index_name, c.relpages,
           c.reltuples, current_setting('block_size')::integer AS block_size,
           pg_relation_size(t.oid) AS table_size, coalesce(u.idx_scan, 0) AS index_scans,
           coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::integer
                     FROM unnest(c.reloptions) AS o WHERE o LIKE 'fillfactor=%'), 90) AS fillfactor,
           k.data_width
    FROM keys k JOIN pg_class c ON c.oid = k.indexrelid JOIN pg_class t ON t.oid = k.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
    LEFT JOIN pg_stat_user_indexes u ON u.indexrelid = c.oid
    WHERE am.amname = 'btree' AND n.nspname = current_schema() AND k.known = k.columns AND c.reltuples >= 0
),
estimates AS (
    SELECT *, 1 + CASE WHEN reltuples = 0 THEN 0 ELSE ceil(
        reltuples * (8 + ceil(data_width / 8.0) * 8 + 4) / ((block_size - 24 - 16) * fillfactor / 100.0)
    ) END AS expected_pages
    FROM indexes
),
sizes AS (
    SELECT schema_name, table_name, index_name, table_size, index_scans, relpages - expected_pages AS excess,
           relpages::bigint * block_size AS real_size, expected_pages::bigint * block_size AS expected_size
    FROM estimates
)
SELECT current_database() AS database_name, schema_name, table_name, index_name,
       CASE WHEN real_size = 0 THEN 0.0::float8
            ELSE round(greatest(real_size - expected_size, 0)::float8 * 100 / real_size::float8) END AS bloat_pct,
       round(greatest(real_size - expected_size, 0)::float8 * 100 / 1048576) / 100 AS bloat_mb,
       round(real_size::float8 * 1000 / 1048576) / 1000 AS index_mb,
       round(table_size::float8 * 1000 / 1048576) / 1000 AS table_mb,
       index_scans
FROM sizes ORDER BY excess DESC, index_name
