"""Solver documents written together (`OpenBatch` runs their stepped writers in lockstep) on the real
PostgreSQL and the real solver documents: the same database as writing them one per transaction, on all
columns; each document keeps its own counts; the batch shares its statements."""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import connected, head_template
from tests.sync.test_sync_api import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.config import SyncSettings
from thoth_storages.graph.bulk import plan
from thoth_storages.graph.contents import diff_contents, table_contents
from thoth_storages.graph.sync_writers import Prepared, Stepped, WriteStats, prepare_solver_file
from thoth_storages.sync import SyncEvent, sync_solver_documents
from thoth_storages.sync.sources import prefix_of

PATHS = sorted(path for path in real_documents() if prefix_of(path) == "solver")


def _prepared(path: str) -> Prepared:
    with Path(path).open("rb") as file:
        return prepare_solver_file(file, path, SyncSettings())


def _with_rules(graph: GraphDatabase) -> GraphDatabase:
    """Solver rules for packages some documents hold and others do not, so entities get linked to
    rules (any version, and a range)."""
    names: Counter[str] = Counter()
    for path in PATHS:
        tree = json.loads(Path(path).read_text(encoding="utf-8"))["result"]["tree"]
        names.update({entry["package_name"] for entry in tree})
    common = [name for name, count in names.most_common() if count < len(PATHS)][:3]
    for name in common:
        graph.create_python_rule(name)
        graph.create_python_rule(name, version_specifier=">=1.0", description="recent")
    return graph


def _one_by_one(graph: GraphDatabase, paths: list[str]) -> list[WriteStats]:
    return [graph.sync_prepared(_prepared(path)) for path in paths]


def _count_inserts(graph: GraphDatabase, table: str) -> None:
    """Count the INSERT statements into `table` from now on, with a statement trigger (see `_counted`)."""
    with graph.engine.begin() as connection:
        connection.execute(text(f"CREATE SEQUENCE {table}_inserts"))
        connection.execute(
            text(
                f"CREATE FUNCTION count_{table}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN PERFORM nextval('{table}_inserts'); RETURN NULL; END $$; "
                f"CREATE TRIGGER count_{table} AFTER INSERT ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION count_{table}()"
            )
        )


def _counted(graph: GraphDatabase, table: str) -> int:
    """The INSERT statements into `table` since `_count_inserts`."""
    with graph.engine.connect() as connection:
        last, called = connection.execute(text(f"SELECT last_value, is_called FROM {table}_inserts")).one()
    return int(last) if called else 0


def test_the_real_solver_documents_are_held_and_written_together() -> None:
    assert len(PATHS) >= 16
    assert all(isinstance(_prepared(path), Stepped) for path in PATHS)


@pytest.mark.parametrize("seed", [0, 1])
def test_written_together_gives_the_database_of_one_by_one_on_all_columns(
    graph: GraphDatabase, seed: int
) -> None:
    order = PATHS.copy()
    random.Random(seed).shuffle(order)
    with connected(head_template()) as reference:
        alone = _one_by_one(_with_rules(reference), PATHS)
        expected = table_contents(reference.engine)
    together = _with_rules(graph).sync_prepared_many([_prepared(path) for path in order])
    assert expected["python_package_version_entity_rules_association"]
    differences = diff_contents(expected, table_contents(graph.engine))
    assert not differences, "\n".join(difference.describe() for difference in differences)
    assert sum(rows.total() for rows in expected.values()) > 5000
    # Each document sees its own rows, whatever it is written with.
    seen_alone = dict(zip(PATHS, (stats.seen for stats in alone), strict=True))
    assert [stats.seen for stats in together] == [seen_alone[path] for path in order]


def test_each_row_inserted_together_counts_for_the_first_document_holding_it(graph: GraphDatabase) -> None:
    with connected(head_template()) as reference:
        alone = _one_by_one(reference, PATHS)
    together = graph.sync_prepared_many([_prepared(path) for path in PATHS])
    with_id = sorted({name for stats in alone for name in stats.inserted if plan(name).has_id})
    assert {"python_package_version", "python_package_version_entity", "ecosystem_solver"} <= set(with_id)
    assert [{t: s.inserted[t] for t in with_id} for s in together] == [
        {t: s.inserted[t] for t in with_id} for s in alone
    ]
    # Link rows (tables without id) are inserted by the batch's last statement: they count for its
    # last document, and in all they are the rows one by one inserted.
    links = {name for stats in alone for name in stats.inserted if not plan(name).has_id}
    assert links and all(not stats.inserted.keys() & links for stats in together[:-1])
    assert {t: together[-1].inserted[t] for t in links} == {
        t: sum(s.inserted[t] for s in alone) for t in links
    }


def test_a_batch_shares_its_statements_whatever_its_documents(graph: GraphDatabase) -> None:
    _count_inserts(graph, "python_package_version")
    _count_inserts(graph, "solved")
    graph.sync_prepared_many([_prepared(path) for path in PATHS])
    assert (_counted(graph, "python_package_version"), _counted(graph, "solved")) == (1, 1)
    with connected(head_template()) as reference:
        _count_inserts(reference, "python_package_version")
        _one_by_one(reference, PATHS[:4])
        assert _counted(reference, "python_package_version") == 4  # the counter counts each statement


def test_a_document_refused_at_the_commit_fails_alone_and_the_batch_says_why(
    graph: GraphDatabase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = PATHS[:3]
    document = json.loads(Path(PATHS[3]).read_text(encoding="utf-8"))
    broken = tmp_path / "solver-debian-12-py38-000000000000-duration.json"
    # Valid for the schema; `solved.duration` (integer) cannot hold it: refused when the batch is written.
    document["metadata"].update(document_id=broken.stem, duration=2**40)
    broken.write_text(json.dumps(document), encoding="utf-8")
    with connected(head_template()) as reference:
        sync_solver_documents(good, graph=reference, is_local=True)
        expected = table_contents(reference.engine)

    caplog.set_level(logging.INFO, logger="thoth_storages.sync.api")
    events: list[SyncEvent] = []
    graph.sync_settings = replace(graph.sync_settings, batch=8)
    stats = sync_solver_documents(
        [good[0], str(broken), *good[1:]], graceful=True, graph=graph, is_local=True, on_event=events.append
    )
    assert stats == (4, 3, 0, 1)
    (failure,) = [event for event in events if event.outcome == "failed"]
    assert failure.document_id == broken.stem and "solved.duration" in (failure.error or "")
    said = [record.getMessage() for record in caplog.records]
    assert any(
        message.startswith("committing a batch of 4 documents failed (solved.duration") for message in said
    )
    assert not diff_contents(expected, table_contents(graph.engine))
