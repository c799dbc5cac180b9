-- The managers enabled on the first active installation of the slug for the runtime environment
-- (:runtime_environment_name NULL: the unnamed one), by name.
SELECT manager.name AS manager
FROM kebechet_github_installations AS k
CROSS JOIN LATERAL (
    VALUES
        ('info_manager', k.info_manager),
        ('pipfile_requirements_manager', k.pipfile_requirements_manager),
        ('thoth_advise_manager', k.thoth_advise_manager),
        ('thoth_provenance_manager', k.thoth_provenance_manager),
        ('update_manager', k.update_manager),
        ('version_manager', k.version_manager)
) AS manager (name, enabled)
WHERE manager.enabled AND k.id = (
    SELECT first.id FROM kebechet_github_installations AS first
    WHERE first.is_active AND first.slug = :slug
        AND first.runtime_environment_name IS NOT DISTINCT FROM CAST(:runtime_environment_name AS text)
    ORDER BY first.id LIMIT 1
)
ORDER BY manager.name
