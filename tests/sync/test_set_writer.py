"""SetWriter on the real PostgreSQL: rows that refer to rows it inserted skip the lookup and the lock."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DataError

from generated import rows
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
        entity = writer.ensure_one(rows.PYTHON_PACKAGE_VERSION_ENTITY([ENTITY]))
        artifact = writer.ensure_one(rows.PYTHON_ARTIFACT([ARTIFACT]))
        link = {"python_artifact_id": artifact, "python_package_version_entity_id": entity}
        locks = advisory_locks(connection)
        writer.ensure(rows.HAS_ARTIFACT([link]))
        writer.ensure(rows.HAS_ARTIFACT([link]))  # the same key again in this transaction: not twice
        assert advisory_locks(connection) == locks  # no lock taken for rows known to be new
        assert links(connection) == 1
        assert writer.inserted["has_artifact"] == 1
        writer.flush()  # forgets what it inserted: the next write of the link looks it up
        writer.ensure(rows.HAS_ARTIFACT([link]))
        assert advisory_locks(connection) == locks + 1
        assert links(connection) == 1
        assert writer.inserted["has_artifact"] == 1

    with graph.engine.begin() as connection:  # a new writer: the parents exist, so it looks up
        writer = SetWriter(connection)
        locks = advisory_locks(connection)
        writer.ensure(rows.HAS_ARTIFACT([link]))
        assert advisory_locks(connection) == locks + 1
        assert links(connection) == 1
        assert writer.inserted["has_artifact"] == 0


def test_a_link_with_one_existing_and_one_new_parent_is_new(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        entity = SetWriter(connection).ensure_one(rows.PYTHON_PACKAGE_VERSION_ENTITY([ENTITY]))
    with graph.engine.begin() as connection:
        writer = SetWriter(connection)
        assert writer.ensure_one(rows.PYTHON_PACKAGE_VERSION_ENTITY([ENTITY])) == entity  # existing
        artifact = writer.ensure_one(rows.PYTHON_ARTIFACT([ARTIFACT]))  # new
        writer.ensure(
            rows.HAS_ARTIFACT([{"python_artifact_id": artifact, "python_package_version_entity_id": entity}])
        )
        assert links(connection) == 1
        assert writer.inserted == {"python_artifact": 1, "has_artifact": 1}


def _artifact_document(digit: str, given: dict[str, int]) -> Callable[[SetWriter], None]:
    """A prepared document: the shared entity, its own artifact and the link between them."""

    def write(writer: SetWriter) -> None:
        entity = writer.ensure_one(rows.PYTHON_PACKAGE_VERSION_ENTITY([ENTITY]))  # the same in both
        artifact = {**ARTIFACT, "artifact_hash_sha256": "sha256:" + digit * 64}
        ids = writer.ensure(rows.PYTHON_ARTIFACT([artifact]))
        assert list(ids) == [("sha256:" + digit * 64, None)]  # only its own row's id
        given[digit] = entity
        link = {"python_artifact_id": ids[(artifact["artifact_hash_sha256"], None)]}
        writer.add(rows.HAS_ARTIFACT([{**link, "python_package_version_entity_id": entity}]))

    return write


def _artifact_counts(graph: GraphDatabase) -> tuple[int, ...]:
    with graph.engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM python_package_version_entity), (SELECT count(*) FROM python_artifact), "
                "(SELECT count(*) FROM has_artifact), (SELECT count(DISTINCT xmin::text) FROM python_artifact)"
            )
        ).one()
    return tuple(counts)


def test_a_batch_is_one_transaction_and_each_document_keeps_its_own_ids_and_counts(
    graph: GraphDatabase,
) -> None:
    given: dict[str, int] = {}
    stats = graph.sync_prepared_many([_artifact_document("1", given), _artifact_document("2", given)])
    assert [written.seen for written in stats] == [
        {"python_package_version_entity": 1, "python_artifact": 1, "has_artifact": 1}
    ] * 2
    assert [written.inserted["python_package_version_entity"] for written in stats] == [1, 0]
    assert given["1"] == given["2"]
    assert _artifact_counts(graph) == (1, 2, 2, 1)


def test_a_batch_with_a_failing_document_writes_nothing(graph: GraphDatabase) -> None:
    def broken(writer: SetWriter) -> None:
        writer.connection.exec_driver_sql("SELECT 1 / 0")  # the database refuses, after the first wrote

    given: dict[str, int] = {}
    with pytest.raises(DataError, match="division by zero"):
        graph.sync_prepared_many([_artifact_document("1", given), broken])
    assert given and _artifact_counts(graph) == (0, 0, 0, 0)


def test_found_rows_get_their_null_columns_filled_and_keep_the_values_they_have(graph: GraphDatabase) -> None:
    index = {"url": "https://pypi.example.org/simple", "verify_ssl": True, "enabled": False}
    version = {"package_name": "six", "package_version": "1.16.0", "os_name": "debian", "os_version": "12"}
    version |= {"python_version": "3.8", "is_missing": False}
    query = "SELECT python_package_metadata_id, package_license, package_license_warning FROM python_package_version"
    with graph.engine.begin() as connection:
        writer = SetWriter(connection, defer=True)
        index_id = writer.ensure_one(rows.PYTHON_PACKAGE_INDEX([index]))
        entity = writer.ensure_one(
            rows.PYTHON_PACKAGE_VERSION_ENTITY([ENTITY | {"python_package_index_id": index_id}])
        )
        metadata = writer.ensure_ids(
            rows.PYTHON_PACKAGE_METADATA([{"name": "six"}, {"name": "six", "version": "1"}])
        )
        license = {"license_name": "MIT License", "license_identifier": "MIT", "license_version": "1"}
        license_id = writer.ensure_one(rows.PYTHON_PACKAGE_LICENSE([license]))
        version |= {"python_package_index_id": index_id, "entity_id": entity}
        version_id = writer.ensure_one(rows.PYTHON_PACKAGE_VERSION([version]))  # knows no metadata
        # Found: NULL columns take what is given, in one statement with the lookup.
        assert writer.ensure_one(
            rows.PYTHON_PACKAGE_VERSION([version | {"python_package_metadata_id": metadata[0]}])
        ) == (version_id)
        # A value already set is kept; the other NULL columns are filled.
        given = {"python_package_metadata_id": metadata[1], "package_license": license_id}
        assert writer.ensure_one(rows.PYTHON_PACKAGE_VERSION([version | given])) == version_id
        assert connection.execute(text(query)).all() == [(metadata[0], license_id, None)]
        assert writer.inserted["python_package_version"] == 1

        # Repeated keys in one call: the first occurrence's NULLs are filled from the later ones.
        edge = {"entity_id": entity, "version_id": version_id, "extra": None, "marker": None}
        edge |= {"marker_evaluation_result": True}
        writer.add(rows.DEPENDS_ON([edge | {"version_range": None}, edge | {"version_range": ">=1"}]))
        writer.flush()
        edges = "SELECT version_range FROM depends_on"
        assert connection.execute(text(edges)).scalars().all() == [">=1"]
        # A table without id: a found row's NULL is filled, a set value kept, nothing inserted twice.
        connection.execute(text("UPDATE depends_on SET version_range = NULL"))
        writer.add(rows.DEPENDS_ON([edge | {"version_range": "<2"}]))
        writer.flush()
        writer.add(rows.DEPENDS_ON([edge | {"version_range": "<3"}]))
        writer.flush()
        assert connection.execute(text(edges)).scalars().all() == ["<2"]
