"""Sync benchmark: the set-based sync against row-by-row ORM get-or-create, a raw COPY, and 0.74.2.

    KNOWLEDGE_GRAPH_HOST=127.0.0.1 .venv/bin/python benchmarks/sync.py [--original] [--memory] [--documents DIR]

All runs use the same PostgreSQL server and the real documents (../shared/data/documents, else the
copies under tests/data/documents), each run in a fresh database. "rows" are rows inserted, so every
column compares the same work. --original also times thoth-storages 0.74.2 (installed by
scripts/compat-original.sh into .thoth-storages/original-venv) on the solver documents;
--memory reports peak RSS for syncing one synthetic 1 MB and one 10 MB solver document. Every
figure is the median of --repeat rounds (5 by default), each run in a fresh database, so a cold first
run (imports, statement caches) or a noisy neighbour does not decide it; a round runs every writer once,
so the writers share the machine's slow and fast spells, and a share of COPY is the median of the
rounds' ratios. "+ async commit" is the sync with THOTH_STORAGES_SYNC_ASYNC_COMMIT=1, "batched" with
THOTH_STORAGES_SYNC_BATCH=50 (up to 50 documents written per transaction).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Connection, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.baselines import OrmGetOrCreateWriter, copy_rows, dump_rows  # noqa: E402
from thoth_storages import GraphDatabase  # noqa: E402
from thoth_storages.cli_sync import expand_local  # noqa: E402
from thoth_storages.config import DatabaseSettings  # noqa: E402
from thoth_storages.graph.bulk import SetWriter  # noqa: E402
from thoth_storages.graph.connection import make_engine  # noqa: E402
from thoth_storages.sync import sync_documents  # noqa: E402
from thoth_storages.sync.sources import prefix_of  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "documents"
DOCUMENTS = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "documents"
KINDS = ("solver", "adviser", "package", "inspection")


@dataclass
class Run:
    documents: int
    rows: int
    seconds: float

    def rate(self) -> str:
        return f"{self.documents / self.seconds:8.1f} docs/s {self.rows / self.seconds:9,.0f} rows/s"


@contextmanager
def fresh_graph(initialize: bool = True) -> Iterator[GraphDatabase]:
    settings = replace(DatabaseSettings.from_env(), database=f"thoth_bench_{uuid.uuid4().hex[:8]}")
    admin = make_engine(settings, "postgres", autocommit=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{settings.database}"'))
    graph = GraphDatabase(settings)
    graph.connect()
    if initialize:
        graph.initialize_schema()
    try:
        yield graph
    finally:
        graph.disconnect()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{settings.database}" WITH (FORCE)'))
        admin.dispose()


def documents_of(kind: str, root: Path = DOCUMENTS) -> list[str]:
    return [p for p in expand_local((root,)) if prefix_of(p) == kind and "/raw/" not in p]


def run_sync(graph: GraphDatabase, paths: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    stats = sync_documents(paths, graceful=True, graph=graph, is_local=True)
    return sum(s[1] for s in stats.values()), time.perf_counter() - started


def _count_rows(connection: Connection) -> int:
    from generated.models import Base

    return sum(
        int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
        for t in Base.metadata.tables
    )


@contextmanager
def writer_class(cls: type[SetWriter]) -> Iterator[None]:
    """Swap the writer the GraphDatabase uses (same handlers, other way of writing)."""
    from thoth_storages.graph import sync_writers

    original = sync_writers.SetWriter
    sync_writers.SetWriter = cls  # type: ignore[misc]
    try:
        yield
    finally:
        sync_writers.SetWriter = original  # type: ignore[misc]


def median(runs: list[Run]) -> Run:
    """The run of median duration (same documents and rows in every run)."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def measure(
    paths: list[str], writer: type[SetWriter] | None
) -> tuple[Run, dict[str, list[tuple[object, ...]]]]:
    with fresh_graph() as graph:
        if writer is None:
            synced, seconds = run_sync(graph, paths)
        else:
            with writer_class(writer):
                synced, seconds = run_sync(graph, paths)
        with graph.engine.connect() as connection:
            rows = _count_rows(connection)
            dump = dump_rows(connection)
    return Run(synced, rows, seconds), dump


def measure_copy(dump: dict[str, list[tuple[object, ...]]], documents: int) -> Run:
    with fresh_graph() as graph, graph.engine.begin() as connection:
        started = time.perf_counter()
        copied = copy_rows(connection, dump)
        seconds = time.perf_counter() - started
    return Run(documents, sum(copied.values()), seconds)


ORIGINAL_SCRIPT = """
import sys, time, logging
logging.disable(logging.WARNING)
from thoth.storages import GraphDatabase
from thoth.storages.sync import sync_solver_documents
g = GraphDatabase(); g.connect(); g.initialize_schema()
paths = sys.argv[1:]
t = time.perf_counter()
stats = sync_solver_documents(paths, graceful=True, graph=g, is_local=True)
print("RESULT", stats[1], stats[3], time.perf_counter() - t)
"""


def measure_original(paths: list[str]) -> str:
    python = ROOT / ".thoth-storages" / "original-venv" / "bin" / "python"
    if not python.exists():
        return "not installed (run scripts/compat-original.sh once)"
    settings = DatabaseSettings.from_env()
    database = f"thoth_bench_original_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **replace(settings, database=database).environment()}
    try:
        done = subprocess.run(
            [str(python), "-c", ORIGINAL_SCRIPT, *paths],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        line = next((line for line in done.stdout.splitlines() if line.startswith("RESULT")), None)
        if line is None:
            return "failed: " + (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        _, synced, failed, seconds = line.split()
        rows = _rows_in(settings, database)
        return (
            f"{synced} synced, {failed} failed: {rows:,} rows in {float(seconds):.1f} s = "
            f"{rows / float(seconds):,.0f} rows/s"
        )
    finally:
        admin = make_engine(settings, "postgres", autocommit=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _rows_in(settings: DatabaseSettings, database: str) -> int:
    engine = make_engine(settings, database)
    try:
        with engine.connect() as connection:
            tables = [
                t
                for (t,) in connection.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
            ]
            return sum(
                int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables
            )
    finally:
        engine.dispose()


MEMORY_SCRIPT = """
import sys, time
from thoth_storages import GraphDatabase
from thoth_storages.sync import sync_solver_documents
def peak():  # VmHWM starts afresh at exec, unlike ru_maxrss, which keeps the parent's peak
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) // 1024
graph = GraphDatabase(); graph.connect()
before = peak()
started = time.perf_counter()
stats = sync_solver_documents([sys.argv[1]], graph=graph, is_local=True)
seconds = time.perf_counter() - started
assert stats[1] == 1, stats
print(before, peak(), seconds)
"""


def synthetic_solver_document(template_path: str, size: int, target: Path) -> int:
    """A valid solver document of about `size` bytes: the real tree entries repeated under new names."""
    document = json.loads(Path(template_path).read_text())
    entries = document["result"]["tree"]
    grown, copy = [], 0
    while len(json.dumps(grown)) < size:
        for entry in entries:
            clone = json.loads(json.dumps(entry))
            clone["package_name"] = f"{entry['package_name']}-copy{copy}"
            grown.append(clone)
        copy += 1
    document["result"]["tree"] = grown
    target.write_text(json.dumps(document))
    return target.stat().st_size


def measure_memory(template: str, work: Path) -> list[str]:
    """Peak RSS of one sync process per document size, streamed (the default) and parsed whole."""
    lines = []
    for size in (1_000_000, 10_000_000):
        path = work / f"solver-debian-12-py38-000000000000-{size}.json"
        actual = synthetic_solver_document(template, size, path)
        for mode, threshold in (("streamed", "0"), ("parsed whole", str(1 << 40))):
            with fresh_graph() as graph:
                env = {
                    **os.environ,
                    "KNOWLEDGE_GRAPH_DATABASE": graph.settings.database,
                    "THOTH_STORAGES_STREAM_THRESHOLD": threshold,
                }
                done = subprocess.run(
                    [sys.executable, "-c", MEMORY_SCRIPT, str(path)],
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                with graph.engine.connect() as connection:
                    rows = _count_rows(connection)
            if done.returncode != 0:
                lines.append(
                    f"{actual / 1e6:5.1f} MB, {mode}: failed: {done.stderr.strip().splitlines()[-1]}"
                )
                continue
            before, after, seconds = done.stdout.split()
            lines.append(
                f"{actual / 1e6:5.1f} MB document, {mode:<12}: {rows:,} rows in {float(seconds):.1f} s "
                f"({rows / float(seconds):,.0f} rows/s), peak RSS {after} MB ({before} MB after start-up)"
            )
    return lines


@contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """Run with one more setting, e.g. THOTH_STORAGES_SYNC_ASYNC_COMMIT=1."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


BATCH = "50"
"""THOTH_STORAGES_SYNC_BATCH of the batched column."""

WRITERS = ("ours", "async", "batch", "orm", "copy")


def measure_kind(paths: list[str], repeat: int) -> dict[str, list[Run]]:
    """Every writer once per round, rounds interleaved, so a slow spell of the machine hits them alike."""
    runs: dict[str, list[Run]] = {name: [] for name in WRITERS}
    for _ in range(repeat):
        ours, dump = measure(paths, None)
        runs["ours"].append(ours)
        with environment("THOTH_STORAGES_SYNC_ASYNC_COMMIT", "1"):
            runs["async"].append(measure(paths, None)[0])
        with environment("THOTH_STORAGES_SYNC_BATCH", BATCH):
            runs["batch"].append(measure(paths, None)[0])
        runs["orm"].append(measure(paths, OrmGetOrCreateWriter)[0])
        runs["copy"].append(measure_copy(dump, ours.documents))
    return runs


def share(copy: list[Run], ours: list[Run]) -> float:
    """Our rate as a share of COPY's: the median of the rounds' ratios (each round's pair ran together)."""
    ratios = sorted(c.seconds / o.seconds for c, o in zip(copy, ours, strict=True))
    return ratios[len(ratios) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--original", action="store_true", help="also time thoth-storages 0.74.2")
    parser.add_argument("--memory", action="store_true", help="peak RSS for 1 MB and 10 MB documents")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per figure, the median is reported")
    parser.add_argument(
        "--documents",
        type=Path,
        default=DOCUMENTS,
        help="the documents to sync (give two checkouts compared the same directory)",
    )
    arguments = parser.parse_args()
    repeat = max(1, arguments.repeat)
    logging.getLogger("thoth_storages.graph.database").setLevel(logging.ERROR)  # new databases, on purpose
    documents = arguments.documents
    print(f"documents: {documents}")
    header = (
        f"{'kind':<11}{'docs':>5}{'rows':>8} | {'set-based sync':^33} | {'+ async commit':^16} | "
        f"{'batched':^16} | {'ORM get-or-create':^33} | {'COPY ceiling':^33} | speed-up | "
        "share of COPY (async, batched)"
    )
    print(header)
    print("-" * len(header))
    totals = {name: Run(0, 0, 0.0) for name in WRITERS}
    every: dict[str, list[Run]] = {name: [Run(0, 0, 0.0)] * repeat for name in WRITERS}
    for kind in KINDS:
        runs = measure_kind(documents_of(kind, documents), repeat)
        medians = {name: median(runs[name]) for name in WRITERS}
        for name in WRITERS:
            total, run = totals[name], medians[name]
            totals[name] = Run(
                total.documents + run.documents, total.rows + run.rows, total.seconds + run.seconds
            )
            every[name] = [
                Run(a.documents + b.documents, a.rows + b.rows, a.seconds + b.seconds)
                for a, b in zip(every[name], runs[name], strict=True)
            ]
        print(line(kind, medians, runs))
    print(line("all", totals, every))
    if arguments.original:
        print(
            f"thoth-storages 0.74.2, solver documents: {measure_original(documents_of('solver', documents))}"
        )
    if arguments.memory:
        work = ROOT / ".thoth-storages" / "bench"
        work.mkdir(parents=True, exist_ok=True)
        for text_line in measure_memory(max(documents_of("solver", documents), key=os.path.getsize), work):
            print(text_line)


def line(kind: str, medians: dict[str, Run], runs: dict[str, list[Run]]) -> str:
    ours, fast, batched, orm, ceiling = (medians[name] for name in WRITERS)
    return (
        f"{kind:<11}{ours.documents:>5}{ours.rows:>8} | {ours.rate()} | {fast.rows / fast.seconds:9,.0f} rows/s | "
        f"{batched.rows / batched.seconds:9,.0f} rows/s | {orm.rate()} | {ceiling.rate()} | "
        f"{orm.seconds / ours.seconds:7.1f}x | {share(runs['copy'], runs['ours']):5.0%} "
        f"({share(runs['copy'], runs['async']):.0%}, {share(runs['copy'], runs['batch']):.0%})"
    )


if __name__ == "__main__":
    main()
