-- delete_entities
DELETE FROM python_package_version_entity WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND python_package_version_entity.package_version IS NOT NULL;

-- delete_index
DELETE FROM python_package_index WHERE python_package_index.url = :index_url;

-- delete_runs
DELETE FROM benchmark_run WHERE (:exit_code IS NULL OR benchmark_run.exit_code < :exit_code) AND (:note IS NULL OR benchmark_run.note = :note);

-- create_hardware

-- record_artifact
SELECT id FROM python_package_index WHERE url = :index_url;

-- register_index

-- set_last_run
LOCK TABLE benchmark_run IN EXCLUSIVE MODE;
DELETE FROM benchmark_run;

-- get_artifact_count_per_entity
SELECT python_package_version_entity.package_name, python_package_version_entity.package_version, count(*) AS count FROM has_artifact JOIN python_package_version_entity ON has_artifact.python_package_version_entity_id = python_package_version_entity.id GROUP BY python_package_version_entity.package_name, python_package_version_entity.package_version;

-- get_artifacts_per_type
SELECT has_artifact.environment_type, has_artifact.artifact_name, has_artifact.seen_at FROM has_artifact JOIN python_package_version_entity ON has_artifact.python_package_version_entity_id = python_package_version_entity.id ORDER BY environment_type LIMIT :count OFFSET :start_offset;
SELECT DISTINCT has_artifact.environment_type, has_artifact.artifact_name, has_artifact.seen_at FROM has_artifact JOIN python_package_version_entity ON has_artifact.python_package_version_entity_id = python_package_version_entity.id ORDER BY environment_type LIMIT :count OFFSET :start_offset;

-- get_enabled_urls
SELECT python_package_index.url AS url
FROM python_package_index
WHERE python_package_index.enabled AND python_package_index.url LIKE :prefix || '%'
ORDER BY url
LIMIT :count OFFSET :start_offset;

-- get_entities_nested
SELECT python_package_version_entity.package_name, python_package_version_entity.package_version, python_package_index.url FROM python_package_version_entity LEFT OUTER JOIN python_package_index ON python_package_version_entity.python_package_index_id = python_package_index.id WHERE (CAST(:names AS text[]) IS NULL OR python_package_version_entity.package_name = ANY(CAST(:names AS text[])));

-- get_entities_of_packages
SELECT CAST(m.member AS integer) - 1 AS member, e.id, e.package_name
FROM unnest(CAST(:names AS text[]), CAST(:versions AS text[])) WITH ORDINALITY AS m(name, version, member)
JOIN python_package_version_entity e ON e.package_name = m.name AND e.package_version = m.version
ORDER BY 1, 2;

-- get_entity_names_all
SELECT python_package_version_entity.package_name FROM python_package_version_entity WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND python_package_version_entity.package_version IS NOT NULL ORDER BY package_name LIMIT :count OFFSET :start_offset;
SELECT DISTINCT python_package_version_entity.package_name FROM python_package_version_entity WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND python_package_version_entity.package_version IS NOT NULL ORDER BY package_name LIMIT :count OFFSET :start_offset;

-- get_entity_urls
SELECT i.url AS url
FROM python_package_version_entity AS e JOIN python_package_index AS i ON e.python_package_index_id = i.id
WHERE (:package_name IS NULL OR e.package_name = :package_name)
ORDER BY url;

-- get_index
SELECT python_package_index.url, python_package_index.verify_ssl FROM python_package_index WHERE python_package_index.url = :url LIMIT 1;

-- get_python_packages_all
SELECT python_package_version_entity.package_name, python_package_version_entity.package_version, python_package_index.url AS index_url FROM python_package_version_entity LEFT OUTER JOIN python_package_index ON python_package_version_entity.python_package_index_id = python_package_index.id WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND (:enabled IS NULL OR python_package_index.enabled = :enabled) ORDER BY package_name, package_version LIMIT :count OFFSET :start_offset;
SELECT python_package_version_entity.package_name, python_package_version_entity.package_version, python_package_index.url AS index_url FROM python_package_version_entity LEFT OUTER JOIN python_package_index ON python_package_version_entity.python_package_index_id = python_package_index.id WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND (:enabled IS NULL OR python_package_index.enabled = :enabled) ORDER BY random() LIMIT :count OFFSET :start_offset;
SELECT DISTINCT python_package_version_entity.package_name, python_package_version_entity.package_version, python_package_index.url AS index_url FROM python_package_version_entity LEFT OUTER JOIN python_package_index ON python_package_version_entity.python_package_index_id = python_package_index.id WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND (:enabled IS NULL OR python_package_index.enabled = :enabled) ORDER BY package_name, package_version LIMIT :count OFFSET :start_offset;
SELECT DISTINCT python_package_version_entity.package_name, python_package_version_entity.package_version, python_package_index.url AS index_url FROM python_package_version_entity LEFT OUTER JOIN python_package_index ON python_package_version_entity.python_package_index_id = python_package_index.id WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name) AND (:enabled IS NULL OR python_package_index.enabled = :enabled) ORDER BY random() LIMIT :count OFFSET :start_offset;

-- get_python_packages_count_all
SELECT count(*) AS count FROM python_package_version_entity;

-- python_package_exists
SELECT EXISTS (SELECT 1 FROM python_package_version_entity WHERE python_package_version_entity.package_name = :package_name) AS exists;

-- set_index_enabled
UPDATE python_package_index SET enabled = :enabled WHERE python_package_index.url = :url;

-- update_index_enabled_on_url
UPDATE python_package_index SET enabled = :enabled WHERE python_package_index.url = :url;

-- purge_artifact_documents
SELECT DISTINCT has_artifact.artifact_name FROM has_artifact JOIN python_package_version_entity ON has_artifact.python_package_version_entity_id = python_package_version_entity.id WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name);

-- artifact_document_exists
SELECT EXISTS (SELECT 1 FROM has_artifact WHERE has_artifact.artifact_name = :document) AS exists;

-- count_artifacts_of_type
SELECT count(*) AS count FROM has_artifact WHERE CAST(has_artifact.environment_type AS text) = :environment_type;

-- count_indexes
SELECT CASE
    WHEN :is_external THEN (SELECT count(*) FROM external_python_package_index)
    ELSE (SELECT count(*) FROM python_package_index AS i WHERE CAST(:url AS text) IS NULL OR i.url = :url)
END AS count;

-- entity_exists
SELECT EXISTS (SELECT 1 FROM python_package_version_entity WHERE (:package_name IS NULL OR python_package_version_entity.package_name = :package_name)) AS exists;

-- get_artifacts_matching
SELECT has_artifact.python_package_version_entity_id AS id, has_artifact.artifact_name, has_artifact.environment_type AS class FROM has_artifact WHERE (CASE WHEN right(:pattern, 1) = '*' THEN has_artifact.artifact_name LIKE replace(replace(replace(left(:pattern, -1), '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\' ELSE has_artifact.artifact_name = :pattern END) ORDER BY artifact_name;
SELECT DISTINCT has_artifact.python_package_version_entity_id AS id, has_artifact.artifact_name, has_artifact.environment_type AS class FROM has_artifact WHERE (CASE WHEN right(:pattern, 1) = '*' THEN has_artifact.artifact_name LIKE replace(replace(replace(left(:pattern, -1), '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\' ELSE has_artifact.artifact_name = :pattern END) ORDER BY artifact_name;

-- get_index_urls_with_entities
SELECT DISTINCT i.url
FROM python_package_index AS i
JOIN python_package_version_entity AS e ON e.python_package_index_id = i.id
ORDER BY i.url
OFFSET :start_offset LIMIT :count;
SELECT DISTINCT i.url
FROM external_python_package_index AS i
JOIN python_package_version_entity AS e ON e.external_python_package_index_id = i.id
ORDER BY i.url
OFFSET :start_offset LIMIT :count;

-- get_newest_artifact_per_name
SELECT DISTINCT ON (a.artifact_name) a.artifact_name, a.seen_at, a.size
FROM has_artifact AS a
JOIN python_package_version_entity AS e ON e.id = a.python_package_version_entity_id
WHERE CAST(:package_name AS text) IS NULL OR e.package_name = :package_name
ORDER BY a.artifact_name, a.seen_at DESC;

-- get_artifact_count_per_version
SELECT e.package_name, e.package_version, a.artifact_name, count(*) AS count
FROM has_artifact AS a JOIN python_package_version_entity AS e ON a.python_package_version_entity_id = e.id
WHERE e.package_name = :package_name AND (CAST(:artifact_name AS text) IS NULL OR a.artifact_name = :artifact_name)
GROUP BY e.package_name, e.package_version, a.artifact_name
ORDER BY e.package_name, e.package_version, a.artifact_name
LIMIT :count OFFSET :start_offset;

-- get_artifacts_all
SELECT has_artifact.artifact_name, has_artifact.seen_at FROM has_artifact WHERE (:environment_type IS NULL OR has_artifact.environment_type = :environment_type) AND ((NOT :small OR has_artifact.size < 1000) AND (NOT :large OR has_artifact.size >= 1000)) ORDER BY seen_at DESC LIMIT :count OFFSET :start_offset;

-- get_database_size
SELECT pg_database_size(current_database()) AS count;

-- get_database_size_or_zero
SELECT pg_database_size(current_database()) AS count;

-- get_entity_names_of_dependencies
SELECT ARRAY(SELECT d.marker FROM depends_on AS d WHERE d.entity_id = e.id ORDER BY 1) AS names
FROM python_package_version_entity AS e
WHERE e.id = :entity_id;

-- get_main_table_count
SELECT 'external_python_package_index' AS table_name, count(*) AS count FROM external_python_package_index UNION ALL SELECT 'python_package_index' AS table_name, count(*) AS count FROM python_package_index UNION ALL SELECT 'python_package_version_entity' AS table_name, count(*) AS count FROM python_package_version_entity ORDER BY table_name;

-- get_notes_all
SELECT note FROM benchmark_run ORDER BY note;

-- get_usage_exit_code_count
SELECT 'benchmark_run' AS table_name, count(*) AS count FROM benchmark_run WHERE exit_code = :exit_code ORDER BY table_name;

