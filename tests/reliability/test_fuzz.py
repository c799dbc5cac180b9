"""Seeded mutants of every real document type (tests/reliability/mutate.py), synced one by one from S3
and from local files into a copy of the clean run's database: none is half-written (a refused one changes
no table), none escapes as anything but the library's own errors, and every refusal names the JSON path or
the table and column. Solver mutants are read whole and streamed in turn."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from generated.models import Base
from tests.documents._documents_support import DATA_DIR
from tests.reliability.mutate import Mutant, mutants
from tests.reliability.support import (
    S3,
    SEED,
    CleanRun,
    Uploader,
    connected,
    environment,
    fingerprint,
    record,
    scale,
)
from thoth_storages import GraphDatabase
from thoth_storages.exceptions import ThothStorageExceptionError
from thoth_storages.sync import sync_documents

TABLES = sorted(Base.metadata.tables)
_JSON_PATH = re.compile(r"(?<![\w$])\$(?=[.\[:\s'\"]|$)")
_COLUMNS = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(f"{table.name}.{column.name}")
        for table in Base.metadata.tables.values()
        for column in table.columns
    )
    + r")\b"
)


def names_where(message: str) -> bool:
    """Whether a refusal names a JSON path (`$.result.tree[3]`) or a table and column."""
    return bool(_JSON_PATH.search(message) or _COLUMNS.search(message))


def stored_as(mutant: Mutant) -> Path:
    """The real document file (relative to the documents folder) whose part the mutant changed."""
    if mutant.part == "specification":
        return Path("inspection", mutant.document_id, "build", "specification")
    if mutant.part == "result":
        return Path("inspection", mutant.document_id, "results", "0", "result")
    return Path(mutant.document_type, f"{mutant.document_id}.json")


@dataclass
class Findings:
    """What the mutants did."""

    mutants: int = 0
    accepted: int = 0
    refused: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    half_written: list[str] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)
    without_where: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.mutants} mutants of {len(self.types)} document types (seed {SEED}; "
            f"{self.sources['s3']} from S3, {self.sources['local']} from local files; "
            f"{self.accepted} accepted, {self.refused} refused), {len(self.half_written)} half-written, "
            f"{len(self.escapes)} escapes, {len(self.without_where)} refusals without path"
        )

    def report(self) -> str:
        return "\n".join(
            f"{title} ({len(items)}):\n  " + "\n  ".join(items[:15])
            for title, items in (
                ("half-written", self.half_written),
                ("escapes", self.escapes),
                ("refusals without path", self.without_where),
            )
            if items
        )


@dataclass
class Runner:
    """Syncs mutants one at a time into a database holding every real document, and classifies them."""

    graph: GraphDatabase
    uploader: Uploader
    local_root: Path
    findings: Findings
    state: tuple[str, ...] = ()
    """The database's fingerprint before the next mutant."""

    def run(self, mutant: Mutant, source: str, streamed: bool) -> None:
        """Store the mutant (over the real document in S3, or as a folder of its own), sync it (forced,
        not graceful), classify the outcome, and put the real document back."""
        findings = self.findings
        findings.mutants += 1
        findings.sources[source] += 1
        findings.types[mutant.document_type] += 1
        label = (
            f"#{mutant.number} {mutant.kind} {mutant.document_type} {mutant.part} {mutant.path} ({source})"
        )
        if not self.state:
            self.state = fingerprint(self.graph)
        relative = stored_as(mutant)
        threshold = 1 if streamed else 4_000_000
        self.graph.sync_settings = replace(self.graph.sync_settings, stream_threshold=threshold)
        try:
            if source == "s3":
                self.uploader.upload(relative, mutant.texts[mutant.part])
                sync_documents([mutant.document_id], force=True, graph=self.graph)
            else:
                path = mutant.write(self.local_root / f"{mutant.number:06d}")
                sync_documents([str(path)], force=True, graph=self.graph, is_local=True)
        except ThothStorageExceptionError as error:
            findings.refused += 1
            if not names_where(str(error)):
                findings.without_where.append(f"{label}: {type(error).__name__}: {str(error)[:300]}")
        except Exception as error:  # anything else escaped: what the suite counts
            findings.escapes.append(f"{label}: {type(error).__name__}: {str(error)[:300]}")
        else:
            findings.accepted += 1
            self.state = fingerprint(self.graph)
            return
        finally:
            if source == "s3":
                self.uploader.upload(relative, (DATA_DIR / relative).read_bytes())
        after = fingerprint(self.graph)
        if after != self.state:
            changed = [name for name, old, new in zip(TABLES, self.state, after, strict=True) if old != new]
            findings.half_written.append(f"{label}: {', '.join(changed)}")
        self.state = after


def test_mutants_of_every_document_type_are_refused_whole_with_a_path(s3: S3, clean: CleanRun) -> None:
    count = scale(70, 6000, "fuzz_mutants")
    findings = Findings()
    with (
        tempfile.TemporaryDirectory() as local,
        environment(s3.environment(f"fuzz-{uuid.uuid4().hex[:8]}")),
        clean.database.copy() as settings,  # mutants meet a database holding every real document
        connected(settings) as graph,
    ):
        uploader = Uploader()
        uploader.upload_all()
        runner = Runner(graph, uploader, Path(local), findings)
        for mutant in mutants(SEED, count):
            streamed = mutant.document_type == "solver" and mutant.number // 2 % 2 == 0
            runner.run(mutant, "s3" if mutant.number % 2 else "local", streamed)
    record("fuzz", findings.line())
    assert not findings.half_written and not findings.escapes and not findings.without_where, (
        findings.report()
    )
