SELECT url::text, count(*) FROM python_package_index WHERE url LIKE :prefix OR url = 'a :suffix' GROUP BY url
