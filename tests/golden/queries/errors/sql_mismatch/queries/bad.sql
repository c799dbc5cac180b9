SELECT python_package_index.url AS url FROM python_package_index WHERE url LIKE :prefix AND :other
