DELETE FROM python_package_index;
SELECT url FROM python_package_index
