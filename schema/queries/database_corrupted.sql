-- amcheck's bt_index_check over every valid btree index of the current schema, in one statement. A
-- corrupt index raises (SQLSTATE XX001 data_corrupted / XX002 index_corrupted, which the declaration's
-- on_error answers with true); a count is never negative, so a statement that completes answers false.
SELECT count(bt_index_check(c.oid)) < 0 AS corrupted
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready
  AND n.nspname = current_schema() AND c.relpersistence <> 't'
