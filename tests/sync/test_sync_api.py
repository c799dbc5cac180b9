"""The sync API end to end on a real PostgreSQL: real documents, re-sync, concurrency, atomicity."""

from __future__ import annotations

import copy
import errno
import json
import logging
import os
import threading
import time
import traceback
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import connected, head_template
from tests.documents._documents_support import DATA_DIR
from tests.sync._support import counts as table_counts
from thoth_storages import GraphDatabase
from thoth_storages.cli_sync import expand_local
from thoth_storages.documents import DocumentValidationError
from thoth_storages.graph.bulk import SetWriter
from thoth_storages.graph.sync_writers import prepare_solver_file
from thoth_storages.sync import SyncEvent, sync_documents, sync_solver_documents
from thoth_storages.sync.sources import prefix_of

# Real documents the sync refuses on purpose, with the reason it must give.
REFUSED = {
    "dependency-monkey-dmzoo-inspection-2020-09-07": "$.metadata.document_id",  # null id: run from a laptop
    # thoth-package-extract 1.0.0 (2018): not even named by a document-type prefix
    "fridex-thoth-package-extract-tensorflow-serving-s2i": "unknown document type 'fridex'",
    "security-indicator-0a1b0355": "was not solved",  # SolverNotRunError: websocket-client 0.32.0
    "security-indicators-54c6daf9": "was not solved",  # SolverNotRunError: botocore 1.3.23
    # an Amun inspection copied without its build/specification
    "inspection-iotf-1-conv1d-2a71492d": "no build/specification",
}


def real_documents() -> list[str]:
    """Every syncable real document path (the si-bandit/si-cloc inputs in raw/ are not sync documents)."""
    return [path for path in expand_local((DATA_DIR,)) if "/raw/" not in path]


def test_every_real_document_syncs_or_is_refused_for_its_reason(graph: GraphDatabase) -> None:
    events: list[SyncEvent] = []
    stats = sync_documents(
        real_documents(), graceful=True, graph=graph, is_local=True, on_event=events.append
    )
    failed = {event.document_id: event.error or "" for event in events if event.outcome == "failed"}
    present = {Path(path).name.removesuffix(".json") for path in real_documents()}
    refused = {document_id: reason for document_id, reason in REFUSED.items() if document_id in present}
    assert set(failed) == set(refused), failed
    for document_id, reason in refused.items():
        assert reason in failed[document_id]
    synced = [event for event in events if event.outcome == "synced"]
    assert len(synced) == sum(s[1] for s in stats.values()) == len(events) - len(REFUSED)
    assert (
        sum(s[3] for s in stats.values()) == len(REFUSED) - 1
    )  # the unroutable one is in no handler's stats
    assert {event.prefix for event in synced} >= {
        "adviser",
        "inspection",
        "package",
        "solver",
    }
    counts = table_counts(graph)
    assert counts["solved"] > 0 and counts["depends_on"] > 0
    assert counts["adviser_run"] == len(real_documents_of("adviser"))
    assert counts["pi_matmul"] > 0 and counts["package_extract_run"] == 1


def test_resync_changes_no_table(graph: GraphDatabase) -> None:
    documents = real_documents()
    sync_documents(documents, graceful=True, graph=graph, is_local=True)
    before = table_counts(graph)
    skipped = sync_documents(documents, graceful=True, graph=graph, is_local=True)
    processed, synced, already, failed = skipped["solver"]
    # Already there: skipped (every solver document leaves solved rows to recognise it by, also the one
    # whose only requirement is unparsable).
    assert processed == len([path for path in documents if prefix_of(path) == "solver"])
    assert synced == 0 and already == processed and failed == 0
    forced = sync_documents(documents, force=True, graceful=True, graph=graph, is_local=True)
    assert forced["solver"][1] == forced["solver"][0]  # rewritten ...
    assert table_counts(graph) == before  # ... and nothing changed


def test_concurrent_syncs_equal_one(graph: GraphDatabase) -> None:
    solver_documents = [path for path in real_documents() if prefix_of(path) == "solver"]
    # Overlapping sets in different orders: the same keys are locked in other sequences (a deadlock is
    # broken by PostgreSQL and the aborted document is retried whole).
    halves = (
        solver_documents[: len(solver_documents) * 2 // 3],
        list(reversed(solver_documents[len(solver_documents) // 3 :])),
        solver_documents[1::2] + solver_documents[::2],
    )
    errors: list[BaseException] = []

    def run(paths: list[str]) -> None:
        worker = GraphDatabase(graph.settings)
        worker.connect()
        try:
            sync_solver_documents(paths, force=True, graph=worker, is_local=True)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            worker.disconnect()

    threads = [threading.Thread(target=run, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    concurrent = table_counts(graph)
    with connected(head_template()) as single:
        sync_solver_documents(solver_documents, graph=single, is_local=True)
        assert table_counts(single) == concurrent


def _solver_document(path: str) -> dict[str, object]:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("batch", [1, 8])
def test_a_broken_document_leaves_no_trace_and_the_others_land(
    graph: GraphDatabase, tmp_path: Path, batch: int
) -> None:
    graph.sync_settings = replace(graph.sync_settings, batch=batch)  # 8: the batch fails, then one by one
    solver_documents = sorted(p for p in real_documents() if prefix_of(p) == "solver" and "debian" in p)
    template = next(
        path
        for path in solver_documents
        if any(entry["dependencies"] for entry in _solver_document(path)["result"]["tree"])  # type: ignore[index]
    )
    good = [path for path in solver_documents if path != template][:3]
    broken = copy.deepcopy(_solver_document(template))
    result = broken["result"]
    assert isinstance(result, dict)
    entry = next(entry for entry in result["tree"] if entry["dependencies"])
    # Valid for the schema, a value no text column can hold (refused, naming its path, before writing):
    entry["dependencies"][-1]["resolved_versions"][0]["versions"].append("1.0\x00")
    broken_path = tmp_path / "solver-debian-12-py38-000000000000-broken.json"
    broken["metadata"]["document_id"] = broken_path.stem  # type: ignore[index]
    broken_path.write_text(json.dumps(broken), encoding="utf-8")

    with connected(head_template()) as reference:
        sync_solver_documents(good, graph=reference, is_local=True)
        expected = table_counts(reference)

    events: list[SyncEvent] = []
    stats = sync_solver_documents(
        [good[0], str(broken_path), *good[1:]],
        graceful=True,
        graph=graph,
        is_local=True,
        on_event=events.append,
    )
    assert stats == (4, 3, 0, 1)
    failure = next(event for event in events if event.outcome == "failed")
    assert failure.document_id == broken_path.stem and failure.error
    assert table_counts(graph) == expected
    assert not graph.solver_document_id_exists(broken_path.stem)
    with pytest.raises(DocumentValidationError, match=r"\$\.result\.tree\[\d+\]\.dependencies.*NUL"):
        sync_solver_documents([str(broken_path)], graph=graph, is_local=True)


def test_batched_solver_documents_write_what_one_by_one_writes_in_fewer_transactions(
    graph: GraphDatabase,
) -> None:
    paths = sorted(p for p in real_documents() if prefix_of(p) == "solver")
    with connected(head_template()) as reference:
        expected_events: list[SyncEvent] = []
        expected_stats = sync_solver_documents(
            paths, graceful=True, graph=reference, is_local=True, on_event=expected_events.append
        )
        expected = table_counts(reference)

    graph.sync_settings = replace(graph.sync_settings, batch=8)
    events: list[SyncEvent] = []
    stats = sync_solver_documents(paths, graceful=True, graph=graph, is_local=True, on_event=events.append)
    assert stats == expected_stats and stats[1] >= 16
    assert events == expected_events  # same documents, outcomes, rows and order
    assert table_counts(graph) == expected
    with graph.engine.connect() as connection:
        transactions = connection.execute(text("SELECT count(DISTINCT xmin::text) FROM solved")).scalar_one()
    assert transactions <= -(-stats[1] // 8) + stats[3]  # a failed document splits a batch at most once


def test_every_kind_batched_writes_what_one_by_one_writes(graph: GraphDatabase) -> None:
    paths = [path for path in real_documents() if prefix_of(path) != "solver"]  # solver: the test above
    with connected(head_template()) as reference:
        expected_events: list[SyncEvent] = []
        expected_stats = sync_documents(
            paths, graceful=True, graph=reference, is_local=True, on_event=expected_events.append
        )
        expected = table_counts(reference)

    events: list[SyncEvent] = []
    stats = sync_documents(paths, graceful=True, graph=graph, is_local=True, on_event=events.append, batch=8)
    assert stats == expected_stats and sum(synced for _p, synced, _s, _f in stats.values()) >= 10
    assert {event.prefix for event in events if event.outcome == "synced"} >= {
        "adviser",
        "inspection",
        "package",
    }
    assert events == expected_events  # same documents, outcomes, rows and order
    assert table_counts(graph) == expected
    with graph.engine.connect() as connection:
        transactions = connection.execute(
            text("SELECT count(DISTINCT xmin::text) FROM adviser_run")
        ).scalar_one()
    assert transactions < stats["adviser"][1]  # several adviser documents per transaction


NAMES = st.from_regex(r"[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,5})?", fullmatch=True)
VERSIONS = st.builds(lambda *parts: ".".join(map(str, parts)), *[st.integers(0, 30)] * 3)


@st.composite
def solver_documents(draw: st.DrawFn, template: dict[str, object]) -> dict[str, object]:
    """A valid solver document: the real envelope, a generated tree with dependencies."""
    document = copy.deepcopy(template)
    entries = []
    for name in draw(st.lists(NAMES, min_size=1, max_size=4, unique=True)):
        dependencies = [
            {
                "package_name": dep,
                "required_version": ">=0",
                "extra": [],
                "marker": None,
                "marker_evaluation_result": True,
                "resolved_versions": [{"versions": draw(st.lists(VERSIONS, max_size=3))}],
            }
            for dep in draw(st.lists(NAMES, max_size=3, unique=True))
        ]
        version = draw(VERSIONS)
        entries.append(
            {
                "package_name": name,
                "package_version": version,
                "package_version_requested": version,
                "index_url": "https://pypi.example.org/simple",
                "sha256": [draw(st.from_regex(r"[0-9a-f]{64}", fullmatch=True))],
                "importlib_metadata": {"metadata": {"Name": name, "Version": version}},
                "dependencies": dependencies,
            }
        )
    result = document["result"]
    assert isinstance(result, dict)
    result.update({"tree": entries, "errors": [], "unresolved": [], "unparsed": []})
    return document


def test_generated_solver_documents_sync_and_read_back(graph: GraphDatabase) -> None:
    template = _solver_document(next(p for p in real_documents() if "solver-debian-12-py38-2611260405" in p))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(document=solver_documents(template))
    def round_trip(document: dict[str, object]) -> None:
        graph.sync_solver_result(document)
        result = document["result"]
        assert isinstance(result, dict)
        with graph.engine.connect() as connection:
            for entry in result["tree"]:
                row = connection.execute(
                    text(
                        "SELECT pv.id FROM python_package_version pv WHERE pv.package_name = :n "
                        "AND pv.package_version = :v AND pv.os_name = 'debian' AND pv.python_version = '3.8'"
                    ),
                    {"n": entry["package_name"], "v": entry["package_version"]},
                ).one()
                edges = connection.execute(
                    text(
                        "SELECT e.package_name, e.package_version FROM depends_on d "
                        "JOIN python_package_version_entity e ON e.id = d.entity_id WHERE d.version_id = :id"
                    ),
                    {"id": row.id},
                ).all()
                wanted = {
                    (d["package_name"], v)
                    for d in entry["dependencies"]
                    for r in d["resolved_versions"]
                    for v in r["versions"]
                }
                assert {(name, version) for name, version in edges} >= wanted

    round_trip()


def test_a_large_document_syncs_with_a_bounded_number_of_locks(graph: GraphDatabase) -> None:
    """A ~2 MB solver document (thousands of keys per table) must not exhaust PostgreSQL's lock table."""
    template = _solver_document(max(real_documents_of("solver"), key=lambda p: Path(p).stat().st_size))
    result = template["result"]
    assert isinstance(result, dict)
    entries = result["tree"]
    result["tree"] = [
        {**copy.deepcopy(entry), "package_name": f"{entry['package_name']}-copy{n}"}
        for n in range(max(1, 2_000_000 // len(json.dumps(entries))))
        for entry in entries
    ]
    stats = graph.sync_solver_result(template)
    assert stats.rows > 5_000
    with graph.engine.connect() as connection:
        versions = connection.execute(text("SELECT count(*) FROM python_package_version")).scalar_one()
    assert versions == len(result["tree"])
    assert graph.sync_solver_result(template).inserted.total() == 0


def real_documents_of(prefix: str) -> list[str]:
    return [path for path in real_documents() if prefix_of(path) == prefix]


def terminate_other_connections(graph: GraphDatabase) -> int:
    """Terminate every other thoth-storages backend on the graph's database (the sync's pinned one
    among them), from a connection of its own; how many were terminated."""
    with graph.engine.connect() as connection:
        return len(
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = 'thoth-storages' AND pid <> pg_backend_pid()"
                )
            ).all()
        )


def test_a_sync_goes_on_when_its_connection_is_killed(graph: GraphDatabase) -> None:
    paths = sorted(p for p in real_documents() if prefix_of(p) == "solver" and "debian-12" in p)[:4]
    killed: list[int] = []

    def kill_after_the_first(event: SyncEvent) -> None:
        if killed:
            return
        killed.append(terminate_other_connections(graph))

    events: list[SyncEvent] = []

    def record(event: SyncEvent) -> None:
        events.append(event)
        kill_after_the_first(event)

    processed, synced, skipped, failed = sync_solver_documents(
        paths, graceful=True, graph=graph, is_local=True, on_event=record
    )
    assert killed and killed[0] >= 1  # the sync's pinned connection was among those terminated
    assert (processed, skipped) == (len(paths), 0)
    assert failed <= 1 and synced == len(paths) - failed  # at most the document met by the broken connection
    assert events[-1].outcome == "synced"  # the sync went on with a new connection
    assert graph.solver_document_id_exists(Path(paths[-1]).name.removesuffix(".json"))


def test_batched_existence_checks_agree_with_the_single_ones(graph: GraphDatabase) -> None:
    documents = [p for p in real_documents() if prefix_of(p) in ("solver", "adviser", "package")]
    synced_paths = [  # every other document of each kind (the first included): some synced, some not
        path
        for prefix in ("solver", "adviser", "package")
        for path in [p for p in documents if prefix_of(p) == prefix][::2]
    ]
    events: list[SyncEvent] = []
    sync_documents(synced_paths, graceful=True, graph=graph, is_local=True, on_event=events.append)
    reported = {event.document_id for event in events if event.outcome == "synced"}
    single = {
        "solver": graph.solver_document_id_exists,
        "adviser": graph.adviser_document_id_exist,
        "package": graph.analysis_document_id_exist,
    }
    for prefix, exists in single.items():
        ids = [Path(p).name.removesuffix(".json") for p in documents if prefix_of(p) == prefix]
        expected = {document_id for document_id in ids if exists(document_id)}
        assert expected  # some were synced
        assert expected <= reported  # and none that was left out is claimed
        assert graph.synced_document_ids(prefix, [*ids, f"{prefix}-never-synced"]) == expected
    assert graph.synced_document_ids("revsolver", ["revsolver-anything"]) == set()

    inspections = [
        p for p in expand_local((DATA_DIR,)) if prefix_of(p) == "inspection" and Path(p, "build").is_dir()
    ][:1]
    sync_documents(inspections, graph=graph, is_local=True)
    inspection = Path(inspections[0]).name
    results = [(inspection, 0), (inspection, 1), (inspection, 999), ("inspection-never", 0)]
    expected_results = {
        result for result in results if graph.inspection_document_id_result_number_exists(*result)
    }
    assert (inspection, 0) in expected_results
    assert graph.synced_inspection_results(results) == expected_results


def _feed_when_read(fifo: Path, content: bytes) -> list[str]:
    """Write `content` into the named pipe `fifo` once a reader has opened it (within 30 s); the names of
    the threads alive meanwhile."""
    deadline = time.monotonic() + 30
    while True:
        try:
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # refused until a reader opened it
        except OSError as error:
            assert error.errno == errno.ENXIO and time.monotonic() < deadline, "nobody read ahead"
            time.sleep(0.01)
            continue
        break
    names = [thread.name for thread in threading.enumerate()]
    os.set_blocking(descriptor, True)
    with os.fdopen(descriptor, "wb") as pipe:
        pipe.write(content)
    return names


def test_documents_are_read_ahead_in_a_thread_and_errors_stay_with_their_document(
    graph: GraphDatabase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    advisers = sorted(p for p in real_documents() if prefix_of(p) == "adviser")[:3]
    missing = str(tmp_path / "adviser-000000000000-missing.json")
    # The third document is a named pipe: it is read only when a reader opens it, which the callback
    # below (run by the sync's own thread) waits for, so the reader is another thread, reading ahead.
    piped = tmp_path / Path(advisers[1]).name
    os.mkfifo(piped)
    invalid = tmp_path / "adviser-000000000000-invalid.json"
    document = json.loads(Path(advisers[0]).read_text(encoding="utf-8"))
    document["metadata"].update(document_id=invalid.stem, analyzer_version=5)  # a number, not text
    invalid.write_text(json.dumps(document), encoding="utf-8")
    paths = [advisers[0], missing, str(piped), advisers[2], str(invalid)]
    alive: list[str] = []

    def feed_the_pipe(event: SyncEvent) -> None:
        events.append(event)
        if event.document_id == "adviser-000000000000-missing":
            assert threading.current_thread() is threading.main_thread()
            alive.extend(_feed_when_read(piped, Path(advisers[1]).read_bytes()))

    caplog.set_level(logging.DEBUG, logger="thoth_storages.sync.api")
    events: list[SyncEvent] = []
    stats = sync_documents(paths, graceful=True, graph=graph, is_local=True, on_event=feed_the_pipe)
    assert stats["adviser"] == (5, 3, 0, 2)
    assert [event.document_id for event in events] == [Path(p).name.removesuffix(".json") for p in paths]
    assert [event.outcome for event in events] == ["synced", "failed", "synced", "synced", "failed"]
    assert "No such file" in (events[1].error or "")
    assert "$.metadata.analyzer_version" in (events[4].error or "")
    assert any(name.startswith("thoth-sync-fetch") for name in alive)
    # The invalid document was validated by the fetching thread: its traceback runs through the pool.
    failure = next(r for r in caplog.records if r.exc_info and invalid.stem in r.getMessage())
    assert failure.exc_info is not None
    frames = [(frame.filename, frame.name) for frame in traceback.extract_tb(failure.exc_info[2])]
    pool = next(
        i for i, (filename, _name) in enumerate(frames) if filename.endswith("concurrent/futures/thread.py")
    )
    assert "_fetch" in [name for _filename, name in frames[pool:]]
    assert "prepare" in [name for _filename, name in frames[pool:]]


def test_async_commit_is_an_opt_in_local_to_each_sync_transaction(graph: GraphDatabase) -> None:
    seen: list[tuple[int, str]] = []

    def record(writer: SetWriter) -> None:
        row = writer.connection.exec_driver_sql(
            "SELECT pg_backend_pid(), current_setting('synchronous_commit')"
        ).one()
        seen.append((row[0], row[1]))

    with graph.pinned_connection():
        graph.sync_prepared(record)
        graph.sync_settings = replace(graph.sync_settings, asynchronous_commit=True)
        graph.sync_prepared(record)
        graph.sync_settings = replace(graph.sync_settings, asynchronous_commit=False)
        graph.sync_prepared(record)
    assert [setting for _pid, setting in seen] == ["on", "off", "on"]
    assert len({pid for pid, _setting in seen}) == 1  # one connection: the setting ended with its transaction


def test_a_connection_killed_between_existence_checks_loses_nothing(graph: GraphDatabase) -> None:
    graph.sync_settings = replace(graph.sync_settings, existence_chunk=2)  # two documents per check
    paths = sorted(p for p in real_documents() if prefix_of(p) == "solver" and "debian-12" in p)[:4]
    events: list[SyncEvent] = []

    def kill_after_the_second(event: SyncEvent) -> None:
        events.append(event)
        if len(events) == 2:  # the next call is the second chunk's existence check
            assert terminate_other_connections(graph) >= 1

    stats = sync_solver_documents(
        paths, graceful=True, graph=graph, is_local=True, on_event=kill_after_the_second
    )
    assert stats == (4, 4, 0, 0)
    assert [event.outcome for event in events] == ["synced"] * 4


def test_the_sync_command_batches_solver_documents(
    graph: GraphDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from thoth_storages.cli import cli

    monkeypatch.setenv("KNOWLEDGE_GRAPH_DATABASE", graph.settings.database)
    paths = sorted(p for p in real_documents() if prefix_of(p) == "solver" and "debian-12" in p)[:4]
    arguments = ["sync", "--batch", "4", "--graceful"] + [a for path in paths for a in ("--local", path)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert "solver" in result.output
    with graph.engine.connect() as connection:
        documents, transactions = connection.execute(
            text("SELECT count(DISTINCT document_id), count(DISTINCT xmin::text) FROM solved")
        ).one()
    assert (documents, transactions) == (4, 1)


@pytest.mark.parametrize(
    ("text", "reason"), [("{not json", "$: not valid JSON"), ("[1, 2]", "$: a document is a JSON object")]
)
def test_a_local_document_that_is_not_a_json_object_is_refused_naming_its_file(
    graph: GraphDatabase, tmp_path: Path, text: str, reason: str
) -> None:
    path = tmp_path / "adviser-0123456789abcdef.json"
    path.write_text(text)
    events: list[SyncEvent] = []
    stats = sync_documents([str(path)], graceful=True, graph=graph, is_local=True, on_event=events.append)
    assert stats["adviser"] == (1, 0, 0, 1)
    assert str(path) in (events[0].error or "")
    assert reason in (events[0].error or "")


def test_an_open_batch_writes_nothing_until_it_commits_and_nothing_when_abandoned(
    graph: GraphDatabase,
) -> None:
    paths = real_documents_of("solver")[:2]
    with Path(paths[0]).open("rb") as first, Path(paths[1]).open("rb") as second:
        prepared = [
            prepare_solver_file(file, path, graph.sync_settings)
            for file, path in ((first, paths[0]), (second, paths[1]))
        ]
        abandoned = graph.open_batch()
        abandoned.write(prepared[0])
        assert graph.get_solver_documents_count_all() == 0  # uncommitted: invisible to other connections
        abandoned.abort()
        assert graph.get_solver_documents_count_all() == 0  # rolled back, not committed
        batch = graph.open_batch()
        for document in prepared:
            batch.write(document)
        assert graph.get_solver_documents_count_all() == 0
        stats = batch.commit()
    assert [written.rows > 0 for written in stats] == [True, True]
    assert graph.get_solver_documents_count_all() == 2
