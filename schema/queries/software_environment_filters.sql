-- The filters of the software-environment listing and count over the environments e and their analyses r
-- (NULL disables each): the columns, then library_name/symbol (one symbol the environment provides),
-- package_name (a Python package its analysis identified) and rpm_package_name (an RPM it found).
(CAST(:env_image_name AS text) IS NULL OR e.env_image_name = :env_image_name)
AND (CAST(:env_image_tag AS text) IS NULL OR e.env_image_tag = :env_image_tag)
AND (CAST(:os_name AS text) IS NULL OR e.os_name = :os_name)
AND (CAST(:os_version AS text) IS NULL OR e.os_version = :os_version)
AND (CAST(:python_version AS text) IS NULL OR e.python_version = :python_version)
AND (CAST(:cuda_version AS text) IS NULL OR e.cuda_version = :cuda_version)
AND (CAST(:image_name AS text) IS NULL OR e.image_name = :image_name)
AND (CAST(:library_name AS text) IS NULL AND CAST(:symbol AS text) IS NULL OR EXISTS (
    SELECT 1 FROM has_symbol AS h JOIN versioned_symbol AS s ON s.id = h.versioned_symbol_id
    WHERE h.software_environment_id = e.id
        AND (CAST(:library_name AS text) IS NULL OR s.library_name = :library_name)
        AND (CAST(:symbol AS text) IS NULL OR s.symbol = :symbol)))
AND (CAST(:package_name AS text) IS NULL OR EXISTS (
    SELECT 1 FROM identified AS i
    JOIN python_package_version_entity AS p ON p.id = i.python_package_version_entity_id
    WHERE i.package_extract_run_id = r.id AND p.package_name = :package_name))
AND (CAST(:rpm_package_name AS text) IS NULL OR EXISTS (
    SELECT 1 FROM found_rpm AS f JOIN rpm_package_version AS p ON p.id = f.rpm_package_version_id
    WHERE f.package_extract_run_id = r.id AND p.package_name = :rpm_package_name))
