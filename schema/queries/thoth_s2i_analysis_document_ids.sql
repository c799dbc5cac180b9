-- Analyses whose (external when :is_external) software environment is the named Thoth s2i image version.
SELECT DISTINCT r.analysis_document_id AS analysis_document_id
FROM package_extract_run AS r
LEFT OUTER JOIN software_environment AS e ON NOT :is_external AND r.software_environment_id = e.id
LEFT OUTER JOIN external_software_environment AS x ON :is_external AND r.external_software_environment_id = x.id
WHERE coalesce(e.thoth_image_name, x.thoth_image_name) = :thoth_image_name
  AND coalesce(e.thoth_image_version, x.thoth_image_version) = :thoth_image_version
ORDER BY analysis_document_id
LIMIT :count OFFSET :start_offset
