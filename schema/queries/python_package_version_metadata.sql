-- The metadata record of a solved package version (the first one when environments differ): its
-- single-valued fields, then each multi-valued one as a sorted array (project URLs as "label,url").
SELECT m.author, m.author_email, m.download_url, m.home_page, m.keywords, m.license, m.maintainer, m.maintainer_email, m.metadata_version, m.name, m.summary, m.version, m.requires_python, m.description_content_type, m.description,
    ARRAY(SELECT x.classifier FROM has_metadata_classifier AS h JOIN python_package_metadata_classifier AS x ON x.id = h.python_package_metadata_classifier_id
          WHERE h.python_package_metadata_id = m.id ORDER BY 1) AS classifier,
    ARRAY(SELECT x.platform FROM has_metadata_platform AS h JOIN python_package_metadata_platform AS x ON x.id = h.python_package_metadata_platform_id
          WHERE h.python_package_metadata_id = m.id ORDER BY 1) AS platform,
    ARRAY(SELECT x.supported_platform FROM has_metadata_supported_platform AS h JOIN python_package_metadata_supported_platform AS x ON x.id = h.python_package_metadata_supported_platform_id
          WHERE h.python_package_metadata_id = m.id ORDER BY 1) AS supported_platform,
    ARRAY(SELECT x.dependency FROM has_metadata_requires_external AS h JOIN python_package_metadata_requires_external AS x ON x.id = h.python_package_metadata_requires_external_id
          WHERE h.python_package_metadata_id = m.id ORDER BY 1) AS requires_external,
    ARRAY(SELECT concat_ws(',', x.label, x.url) FROM has_metadata_project_url AS h JOIN python_package_metadata_project_url AS x ON x.id = h.python_package_metadata_project_url_id
          WHERE h.python_package_metadata_id = m.id ORDER BY 1) AS project_url,
    ARRAY(SELECT x.optional_feature FROM has_metadata_provides_extra AS h JOIN python_package_metadata_provides_extra AS x ON x.id = h.python_package_metadata_provides_extra_id
          WHERE h.python_package_metadata_id = m.id ORDER BY 1) AS provides_extra,
    ARRAY(SELECT x.distutils FROM has_metadata_distutils AS h JOIN python_package_metadata_distutils AS x ON x.id = h.python_package_metadata_distutils_id
          WHERE h.python_package_metadata_id = m.id AND x.distutils_type = 'REQUIRED' ORDER BY 1) AS requires_dist,
    ARRAY(SELECT x.distutils FROM has_metadata_distutils AS h JOIN python_package_metadata_distutils AS x ON x.id = h.python_package_metadata_distutils_id
          WHERE h.python_package_metadata_id = m.id AND x.distutils_type = 'PROVIDED' ORDER BY 1) AS provides_dist,
    ARRAY(SELECT x.distutils FROM has_metadata_distutils AS h JOIN python_package_metadata_distutils AS x ON x.id = h.python_package_metadata_distutils_id
          WHERE h.python_package_metadata_id = m.id AND x.distutils_type = 'OBSOLETE' ORDER BY 1) AS obsolete_dist
FROM python_package_metadata AS m
WHERE m.id = (
    SELECT min(v.python_package_metadata_id) FROM python_package_version AS v
    JOIN python_package_index AS i ON i.id = v.python_package_index_id
    WHERE v.package_name = :package_name AND v.package_version = :package_version AND i.url = :index_url
)
