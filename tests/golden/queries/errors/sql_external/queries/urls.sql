SELECT url FROM python_package_index
