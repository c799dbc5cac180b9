SELECT count(*) AS count FROM alembic_version
