-- A comment line: the error is reported on the line of the file.
SELECT url AS url
FROM python_package_index
WHERE AND enabled
