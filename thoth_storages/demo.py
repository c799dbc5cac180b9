"""`thoth-storages demo`: publish the bundled real documents to the document store, sync, and query."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from .cli_sync import print_stats, run_sync
from .graph import GraphDatabase
from .s3 import InspectionStore, SIAggregatedStore
from .s3.jsontypes import JSONObject
from .sync.sources import result_stores

BUNDLED = Path(__file__).resolve().parents[1] / "demo" / "documents"


_ANSWERS = {
    "packages solved, per solver": (
        "SELECT es.solver_name || ' ' || es.solver_version, count(*) FROM solved s "
        "JOIN ecosystem_solver es ON es.id = s.ecosystem_solver_id GROUP BY 1 ORDER BY 1"
    ),
    "solver records, failed ones by kind": (
        "SELECT kind, n FROM (SELECT count(*) AS total, count(*) FILTER (WHERE error) AS error, "
        "count(*) FILTER (WHERE error_unsolvable) AS unsolvable, "
        "count(*) FILTER (WHERE error_unparseable) AS unparseable FROM solved) AS s "
        "CROSS JOIN LATERAL (VALUES (1, 'all', total), (2, 'error', error), (3, 'unsolvable', unsolvable), "
        "(4, 'unparseable', unparseable)) AS v(position, kind, n) ORDER BY position"
    ),
    "packages with most dependency edges": (
        "SELECT pv.package_name || ' ' || pv.package_version, count(*) FROM depends_on d "
        "JOIN python_package_version pv ON pv.id = d.version_id GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3"
    ),
    "matmul performance (rate, GFLOPS) per inspection": (
        "SELECT ir.inspection_document_id || '/' || ir.inspection_result_number, round(p.rate::numeric, 2) "
        "FROM pi_matmul p JOIN inspection_run ir ON ir.id = p.inspection_run_id ORDER BY 1"
    ),
    "adviser runs (recommendation type)": (
        "SELECT recommendation_type::text, count(*) FROM adviser_run GROUP BY 1 ORDER BY 1"
    ),
}


def _read(path: Path) -> JSONObject:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def publish(folder: Path) -> int:
    """Store every bundled document with its store class (S3 or the local store); returns how many."""
    count = 0
    for kind, store_class in result_stores().items():  # a folder per kind's document type
        for path in sorted((folder / kind.types[0]).glob("*.json")):
            store = store_class()
            store.connect()
            store.store_document(_read(path), path.stem)
            count += 1
    for inspection in sorted((folder / "inspection").glob("*/build/specification")):
        root = inspection.parents[1]
        composite = InspectionStore(root.name)
        composite.connect()
        composite.build.store_specification(_read(inspection))
        for result in sorted(root.glob("results/*/result")):
            composite.results.store_result(int(result.parent.name), _read(result))
            count += 1
    for path in sorted((folder / "security-indicator").glob("*.json")):
        si_store = SIAggregatedStore(path.stem)
        si_store.connect()
        si_store.store_document(_read(path))
        count += 1
    return count


def answers(graph: GraphDatabase) -> None:
    """Print a few answers the synced graph gives."""
    console = Console()
    with graph.engine.connect() as connection:
        for title, query in _ANSWERS.items():
            table = Table(title=title, show_header=False, min_width=len(title) + 4)
            for label, value in connection.execute(text(query)):
                table.add_row(str(label), str(value))
            console.print(table)


@click.command("demo")
@click.option(
    "--documents",
    type=click.Path(file_okay=False, path_type=Path),
    default=BUNDLED,
    show_default="the bundled real documents",
    help="Folder laid out as demo/documents.",
)
def demo(documents: Path) -> None:
    """The main job on embedded defaults: documents -> document store -> sync -> knowledge graph."""
    graph = GraphDatabase()
    graph.connect()
    graph.initialize_schema()
    settings = graph.settings
    click.echo(
        f"database postgresql://{settings.user}@{settings.host}:{settings.port}/{settings.database} "
        f"at revision {graph.get_table_alembic_version_head()} ({len(graph.table_names())} tables)"
    )
    click.echo(f"published {publish(documents)} documents from {documents} to the document store")
    stats, report = run_sync(None, force=False, graceful=True, is_local=False, graph=graph)
    print_stats(stats, report)
    answers(graph)
    graph.disconnect()
    if report.failures:
        sys.exit(1)
