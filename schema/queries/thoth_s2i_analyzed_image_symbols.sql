-- Symbols of the (external when :is_external) software environments built from the named Thoth s2i image.
SELECT DISTINCT s.symbol AS symbol
FROM versioned_symbol AS s
JOIN has_symbol AS h ON h.versioned_symbol_id = s.id
LEFT OUTER JOIN software_environment AS e ON NOT :is_external AND h.software_environment_id = e.id
LEFT OUTER JOIN external_software_environment AS x ON :is_external AND h.external_software_environment_id = x.id
WHERE coalesce(e.thoth_image_name, x.thoth_image_name) = :thoth_image_name
  AND coalesce(e.thoth_image_version, x.thoth_image_version) = :thoth_image_version
ORDER BY s.symbol
