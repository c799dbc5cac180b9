"""The manifest stored beside each graph dump, and the row counts it records and a restore checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from ..exceptions import SchemaError
from ..s3.jsontypes import JSONObject

MANIFEST_FOLDER = "manifests/"
"""Manifests live under this folder of the backup store, so the dump listing (keys without "/") skips them."""

FORMAT = "thoth-storages graph backup manifest 1"


def manifest_key(dump_key: str) -> str:
    """The key of the manifest of the dump stored under `dump_key`."""
    return f"{MANIFEST_FOLDER}{dump_key}.json"


def dump_key_of(key: str) -> str:
    """The dump key a manifest key belongs to (inverse of `manifest_key`)."""
    return key.removeprefix(MANIFEST_FOLDER).removesuffix(".json")


@dataclass(frozen=True)
class Manifest:
    """What a dump holds and how to check it: written by a backup, verified by a restore."""

    key: str
    created: datetime
    database: str
    server_version: str
    pg_dump_version: str
    schema_revision: str | None
    tables: dict[str, int]
    """Rows per table of the current schema, counted in the snapshot pg_dump dumped."""
    size: int
    sha256: str

    @property
    def rows(self) -> int:
        """Rows in all tables."""
        return sum(self.tables.values())

    def to_json(self) -> JSONObject:
        """The stored form."""
        document: JSONObject = {**asdict(self), "created": self.created.isoformat(), "format": FORMAT}
        return document

    @classmethod
    def from_json(cls, document: JSONObject, where: str) -> Manifest:
        """Parse a stored manifest; SchemaError naming `where` and the field at fault."""
        if document.get("format") != FORMAT:
            raise SchemaError(f"{where}: not a graph backup manifest (format {document.get('format')!r})")
        try:
            tables = document["tables"]
            revision = document["schema_revision"]
            if not isinstance(tables, dict) or not all(isinstance(n, int) for n in tables.values()):
                raise TypeError("tables must map table names to row counts")
            if revision is not None and not isinstance(revision, str):
                raise TypeError("schema_revision must be a string or null")
            size, sha256 = document["size"], document["sha256"]
            if not isinstance(size, int) or not isinstance(sha256, str):
                raise TypeError("size must be an integer and sha256 a string")
            return cls(
                key=str(document["key"]),
                created=datetime.fromisoformat(str(document["created"])),
                database=str(document["database"]),
                server_version=str(document["server_version"]),
                pg_dump_version=str(document["pg_dump_version"]),
                schema_revision=revision,
                tables={str(name): int(count) for name, count in tables.items() if isinstance(count, int)},
                size=size,
                sha256=sha256,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SchemaError(f"{where}: malformed graph backup manifest: {error!r}") from None


def count_rows(connection: Connection) -> dict[str, int]:
    """Rows per table of the current schema, in one statement (so in one snapshot)."""
    tables = list(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        ).scalars()
    )
    if not tables:
        return {}
    quote = connection.dialect.identifier_preparer.quote
    union = " UNION ALL ".join(f"SELECT {i}, count(*) FROM {quote(name)}" for i, name in enumerate(tables))
    counts: dict[int, int] = {int(i): int(n) for i, n in connection.execute(text(union))}
    return {name: counts[i] for i, name in enumerate(tables)}


def schema_revision(connection: Connection) -> str | None:
    """The alembic_version of the connected database, or None when it has none."""
    if not connection.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar_one():
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


__all__ = [
    "FORMAT",
    "MANIFEST_FOLDER",
    "Manifest",
    "count_rows",
    "dump_key_of",
    "manifest_key",
    "schema_revision",
]
