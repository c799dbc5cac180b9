"""Code generator of thoth-storages: schema/ -> generated/ and alembic/versions/."""
