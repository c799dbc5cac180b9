-- Software stacks: the external (user) ones, or the others of one type (NULL: every type), or with
-- :distinct the number of their distinct types.
SELECT CASE
    WHEN :is_external THEN (SELECT count(*) FROM external_python_software_stack)
    WHEN :distinct THEN (
        SELECT count(DISTINCT s.software_stack_type) FROM python_software_stack AS s
        WHERE CAST(:software_stack_type AS text) IS NULL OR s.software_stack_type = :software_stack_type
    )
    ELSE (
        SELECT count(*) FROM python_software_stack AS s
        WHERE CAST(:software_stack_type AS text) IS NULL OR s.software_stack_type = :software_stack_type
    )
END AS count
