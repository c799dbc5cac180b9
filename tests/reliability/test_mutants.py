"""Seeded mutants of every real document type, each synced through the real sync into the real database.

Each mutant must be synced, or refused with a thoth-storages error whose message names a JSON path
(`$.result.tree[3].package_version`) or a table.column, having written nothing (every table's content
unchanged). Solver mutants are synced read whole and streamed in turn (one NaN policy for both).
The figures are printed; THOTH_STORAGES_MUTANTS and THOTH_STORAGES_MUTANT_SEED change the run.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from sqlalchemy import text

from generated.models import Base
from tests.reliability.mutate import ALL_KINDS, Mutant, mutants
from thoth_storages import GraphDatabase
from thoth_storages.exceptions import ThothStorageExceptionError
from thoth_storages.sync import sync_documents

COUNT = int(os.environ.get("THOTH_STORAGES_MUTANTS", "240"))
SEED = int(os.environ.get("THOTH_STORAGES_MUTANT_SEED", "14"))

_JSON_PATH = re.compile(r"(?:^|[\s:(])\$(?:[.\[]|:|\s|$)")
_COLUMNS = {
    f"{table.name}.{column.name}" for table in Base.metadata.tables.values() for column in table.columns
}
_TABLE_COLUMN = re.compile(r"\b([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\b")


def names_where(message: str) -> bool:
    """Whether a refusal names a JSON path or a table.column."""
    return bool(_JSON_PATH.search(message)) or any(
        found in _COLUMNS for found in _TABLE_COLUMN.findall(message)
    )


_DIGEST = " UNION ALL ".join(
    f"SELECT '{name}', md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{name}\" AS t"
    for name in sorted(Base.metadata.tables)
)


def contents(graph: GraphDatabase) -> dict[str, str]:
    """Every table's content as a digest, in one statement."""
    with graph.engine.connect() as connection:
        return {str(name): str(digest) for name, digest in connection.execute(text(_DIGEST))}


@dataclass
class Figures:
    mutants: int = 0
    synced: int = 0
    refused_with_path: int = 0
    refused_without_path: list[str] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"mutants {self.mutants}, synced {self.synced}, refused with path {self.refused_with_path}, "
            f"refused without path {len(self.refused_without_path)}, escapes {len(self.escapes)}, "
            f"half-written {len(self.half_written)}"
        )


def _label(mutant: Mutant, message: str) -> str:
    return (
        f"#{mutant.number} {mutant.kind} {mutant.document_type} {mutant.part} {mutant.path}: {message[:300]}"
    )


def run(graph: GraphDatabase, folder: Path, seed: int, count: int) -> Figures:
    """Sync `count` mutants of seed `seed` one by one (non-graceful, forced) and classify each."""
    figures = Figures()
    before = contents(graph)
    for mutant in mutants(seed, count):
        figures.mutants += 1
        figures.kinds[mutant.kind] += 1
        path = mutant.write(folder / f"{mutant.number:05d}")
        streamed = mutant.document_type == "solver" and mutant.number % 2 == 0
        graph.sync_settings = replace(graph.sync_settings, stream_threshold=1 if streamed else 4_000_000)
        try:
            sync_documents([str(path)], force=True, graph=graph, is_local=True)
        except ThothStorageExceptionError as error:
            after = contents(graph)
            if after != before:
                changed = sorted(name for name in after if after[name] != before[name])
                figures.half_written.append(_label(mutant, f"{changed}: {error}"))
            before = after
            if names_where(str(error)):
                figures.refused_with_path += 1
            else:
                figures.refused_without_path.append(_label(mutant, str(error)))
        except Exception as error:  # anything else escaped the library's errors
            figures.escapes.append(_label(mutant, f"{type(error).__name__}: {error}"))
            before = contents(graph)
        else:
            figures.synced += 1
            before = contents(graph)
    return figures


@pytest.fixture
def seeded(graph: GraphDatabase) -> GraphDatabase:
    """The graph with the real solver documents synced, so that security and inspection mutants find
    the packages they refer to."""
    solvers = sorted(
        str(path) for path in (Path(__file__).parents[1] / "data/documents/solver").glob("*.json")
    )
    sync_documents(solvers, graceful=True, graph=graph, is_local=True)
    return graph


def test_every_mutant_is_synced_or_refused_naming_where_and_writes_nothing_when_refused(
    seeded: GraphDatabase, tmp_path: Path
) -> None:
    figures = run(seeded, tmp_path, SEED, COUNT)
    print(f"\nseed {SEED}: {figures.line()}")
    for name, items in (
        ("escape", figures.escapes),
        ("without path", figures.refused_without_path),
        ("half-written", figures.half_written),
    ):
        for item in items[:20]:
            print(f"  {name}: {item}")
    assert figures.mutants == COUNT
    assert set(figures.kinds) == set(ALL_KINDS)
    assert figures.escapes == []
    assert figures.refused_without_path == []
    assert figures.half_written == []
    assert figures.refused_with_path > 0 and figures.synced > 0
