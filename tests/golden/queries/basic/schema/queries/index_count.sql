SELECT CASE
    WHEN :is_external THEN (SELECT count(*) FROM external_python_package_index)
    ELSE (SELECT count(*) FROM python_package_index AS i WHERE CAST(:url AS text) IS NULL OR i.url = :url)
END AS count
