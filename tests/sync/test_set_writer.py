"""SetWriter on the real PostgreSQL: rows that refer to rows it inserted skip the lookup and the lock."""

from __future__ import annotations

from sqlalchemy import Connection, text

from thoth_storages import GraphDatabase
from thoth_storages.graph.bulk import SetWriter

ENTITY = {"package_name": "six", "package_version": "1.16.0", "python_package_index_id": None}
ARTIFACT = {"artifact_hash_sha256": "sha256:" + "0" * 64, "artifact_name": None, "present": True}


def advisory_locks(connection: Connection) -> int:
    return int(
        connection.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        ).scalar_one()
    )


def links(connection: Connection) -> int:
    return int(connection.execute(text("SELECT count(*) FROM has_artifact")).scalar_one())


def test_links_to_rows_just_inserted_skip_lookup_and_lock_and_are_written_once(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        writer = SetWriter(connection)
        entity = writer.ensure_one("python_package_version_entity", ENTITY)
        artifact = writer.ensure_one("python_artifact", ARTIFACT)
        link = {"python_artifact_id": artifact, "python_package_version_entity_id": entity}
        locks = advisory_locks(connection)
        writer.ensure("has_artifact", [link])
        writer.ensure("has_artifact", [link])  # the same key again in this transaction: not twice
        assert advisory_locks(connection) == locks  # no lock taken for rows known to be new
        assert links(connection) == 1
        assert writer.inserted["has_artifact"] == 1
        writer.flush()  # forgets what it inserted: the next write of the link looks it up
        writer.ensure("has_artifact", [link])
        assert advisory_locks(connection) == locks + 1
        assert links(connection) == 1
        assert writer.inserted["has_artifact"] == 1

    with graph.engine.begin() as connection:  # a new writer: the parents exist, so it looks up
        writer = SetWriter(connection)
        locks = advisory_locks(connection)
        writer.ensure("has_artifact", [link])
        assert advisory_locks(connection) == locks + 1
        assert links(connection) == 1
        assert writer.inserted["has_artifact"] == 0


def test_a_link_with_one_existing_and_one_new_parent_is_new(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        entity = SetWriter(connection).ensure_one("python_package_version_entity", ENTITY)
    with graph.engine.begin() as connection:
        writer = SetWriter(connection)
        assert writer.ensure_one("python_package_version_entity", ENTITY) == entity  # existing
        artifact = writer.ensure_one("python_artifact", ARTIFACT)  # new
        writer.ensure(
            "has_artifact", [{"python_artifact_id": artifact, "python_package_version_entity_id": entity}]
        )
        assert links(connection) == 1
        assert writer.inserted == {"python_artifact": 1, "has_artifact": 1}
