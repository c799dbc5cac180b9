"""table_contents/diff_contents on the real database: ids are resolved to rows, every column counts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from thoth_storages import GraphDatabase
from thoth_storages.graph.contents import diff_contents, table_contents

TABLES = ("python_package_index", "python_package_version_entity")


def _fill(
    graph: GraphDatabase, indexes: Sequence[str], entities: Sequence[tuple[str, str | None, str]]
) -> None:
    """Insert indexes, then entities naming their index by URL, in the order given."""
    with graph.engine.begin() as connection:
        for url in indexes:
            connection.execute(
                text("INSERT INTO python_package_index (url, verify_ssl, enabled) VALUES (:url, true, true)"),
                {"url": url},
            )
        for name, version, url in entities:
            connection.execute(
                text(
                    "INSERT INTO python_package_version_entity"
                    " (package_name, package_version, python_package_index_id)"
                    " SELECT :name, :version, id FROM python_package_index WHERE url = :url"
                ),
                {"name": name, "version": version, "url": url},
            )


def _index_ids(graph: GraphDatabase) -> dict[str, int]:
    with graph.engine.connect() as connection:
        rows = connection.execute(text("SELECT url, id FROM python_package_index")).all()
    return {url: index_id for url, index_id in rows}


A, B = "https://a.example.org/simple", "https://b.example.org/simple"
ENTITIES = [("flask", "2.0.0", A), ("flask", "2.0.0", B), ("six", "1.16.0", A)]


def test_the_same_rows_numbered_differently_are_equal(
    graph: GraphDatabase, head_graph: GraphDatabase
) -> None:
    _fill(graph, [A, B], ENTITIES)
    _fill(head_graph, ["https://unused.example.org/simple", B, A], list(reversed(ENTITIES)))
    with head_graph.engine.begin() as connection:
        connection.execute(text("DELETE FROM python_package_index WHERE url LIKE '%unused%'"))
    left = table_contents(graph.engine, tables=TABLES)
    right = table_contents(head_graph.engine, tables=TABLES)
    assert _index_ids(graph) != _index_ids(head_graph)  # the ids really differ
    assert diff_contents(left, right) == []
    entity_rows = list(left["python_package_version_entity"])
    assert all(dict(row)["python_package_index_id"] for row in entity_rows)  # resolved to index rows
    assert {dict(dict(row)["python_package_index_id"])["url"] for row in entity_rows} == {A, B}


def test_a_changed_column_or_link_is_a_difference_naming_the_table(graph: GraphDatabase) -> None:
    _fill(graph, [A, B], ENTITIES)
    before = table_contents(graph.engine, tables=TABLES)
    with graph.engine.begin() as connection:
        connection.execute(
            text("UPDATE python_package_index SET verify_ssl = false WHERE url = :u"), {"u": B}
        )
    after = table_contents(graph.engine, tables=TABLES)
    diffs = diff_contents(before, after)
    # the index row changed, and so did the entity that refers to it (its link resolves to the new row)
    assert [diff.table for diff in diffs] == list(TABLES)
    assert diffs[1].only_left.total() == 1 and diffs[1].only_right.total() == 1
    assert "python_package_version_entity: 1 row(s) only on the left" in diffs[1].describe()


def test_duplicate_rows_count(graph: GraphDatabase) -> None:
    _fill(graph, [A], [("six", None, A)])  # no version: the unique constraint lets NULLs repeat
    once = table_contents(graph.engine, tables=TABLES)
    _fill(graph, [], [("six", None, A)])
    diffs = diff_contents(once, table_contents(graph.engine, tables=TABLES))
    assert [(d.table, d.only_left.total(), d.only_right.total()) for d in diffs] == [
        ("python_package_version_entity", 0, 1)
    ]
