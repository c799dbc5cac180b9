-- The analysed software environments (one row per package-extract run), newest analysis first.
SELECT e.environment_name, e.python_version, e.image_sha, e.os_name, e.os_version, e.cuda_version,
    e.environment_type, e.thoth_image_name, e.thoth_image_version, e.env_image_name, e.env_image_tag,
    r.analysis_document_id AS package_extract_document_id, r.datetime
FROM software_environment AS e
JOIN package_extract_run AS r ON r.software_environment_id = e.id
WHERE {{software_environment}}
ORDER BY r.datetime DESC, r.analysis_document_id
OFFSET :start_offset LIMIT :count
