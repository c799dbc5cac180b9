-- Symbols of the (external when :is_external) software environments of this OS (None filters disabled).
SELECT DISTINCT s.symbol AS symbol
FROM versioned_symbol AS s
JOIN has_symbol AS h ON h.versioned_symbol_id = s.id
LEFT OUTER JOIN software_environment AS e ON NOT :is_external AND h.software_environment_id = e.id
LEFT OUTER JOIN external_software_environment AS x ON :is_external AND h.external_software_environment_id = x.id
WHERE coalesce(e.os_name, x.os_name) = :os_name
  AND coalesce(e.os_version, x.os_version) = :os_version
  AND (:python_version IS NULL OR coalesce(e.python_version, x.python_version) = :python_version)
  AND (:cuda_version IS NULL OR coalesce(e.cuda_version, x.cuda_version) = :cuda_version)
ORDER BY s.symbol
