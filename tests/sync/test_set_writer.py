"""SetWriter on the real PostgreSQL: rows that refer to rows it inserted skip the lookup and the lock."""

from __future__ import annotations

from collections.abc import Callable

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


def test_a_batch_combines_its_documents_and_hands_each_its_own_ids(graph: GraphDatabase) -> None:
    from thoth_storages.graph.batch import write_batch

    given: dict[str, int] = {}

    def document(digit: str) -> Callable[[SetWriter], None]:
        def write(writer: SetWriter) -> None:
            entity = writer.ensure_one("python_package_version_entity", ENTITY)  # the same in both
            artifact = {**ARTIFACT, "artifact_hash_sha256": "sha256:" + digit * 64}
            ids = writer.ensure("python_artifact", [artifact])
            assert list(ids) == [("sha256:" + digit * 64, None)]  # only its own row's id
            given[digit] = entity
            writer.add(
                "has_artifact",
                [
                    {
                        "python_artifact_id": ids[(artifact["artifact_hash_sha256"], None)],
                        "python_package_version_entity_id": entity,
                    }
                ],
            )

        return write

    with graph.engine.begin() as connection:
        seen = write_batch(connection, [document("1"), document("2")])
    assert seen == [{"python_package_version_entity": 1, "python_artifact": 1, "has_artifact": 1}] * 2
    assert given["1"] == given["2"]
    with graph.engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM python_package_version_entity), (SELECT count(*) FROM python_artifact), "
                "(SELECT count(*) FROM has_artifact), (SELECT count(DISTINCT xmin::text) FROM python_artifact)"
            )
        ).one()
    assert tuple(counts) == (1, 2, 2, 1)
