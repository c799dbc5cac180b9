"""Differential suite against thoth-storages 0.74.2: the same real documents synced by both libraries.

1. Two databases: the original's (built and synced in its own interpreter by original_driver.py, with its
   own sync handlers) and ours (thoth_storages' handlers), from the documents of tests/data/documents in
   the same order. Only the documents the original syncs are synced into ours; each document it refuses
   must be listed as `document:<path>` in schema/COMPATIBILITY.md.
2. Every table compared on all columns, ids mapped through natural keys (graph.contents).
3. Every public read method of the original's GraphDatabase called with argument sets built from its own
   signature and sample values from the synced data, on both, answers compared in one canonical encoding.

Differences are allowed only when schema/COMPATIBILITY.md lists them (`answer:GraphDatabase.x`,
`table:t`, `table:t.column`; `document:<glob>` for documents the original refuses). `python -m tests.compat.differential [--all]` prints the report
(`make compat` runs every document); tests/compat/test_differential.py runs the subset.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tests.compat.original_driver import answer as driver_answer
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine
from thoth_storages.graph.contents import Contents, TableDiff, diff_contents, table_contents
from thoth_storages.sync import HANDLERS_MAPPING

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "tests" / "data" / "documents"
DRIVER = Path(__file__).with_name("original_driver.py")
ORIGINAL_VERSION = "0.74.2"
ORIGINAL_PYTHON = ROOT / ".thoth-storages" / "original-venv" / "bin" / "python"
COMPATIBILITY = ROOT / "schema" / "COMPATIBILITY.md"
ENTRY = re.compile(r"^- `(\w+):([^`]+)`", re.MULTILINE)

# Document folder -> (the original's handler, our HANDLERS_MAPPING key), in sync order: solver documents
# first, as in a deployment (the original refuses an adviser or security-indicator document whose
# packages no solver has solved yet).
KINDS: dict[str, tuple[str, str]] = {
    "solver": ("sync_solver_documents", "solver"),
    "package-extract": ("sync_analysis_documents", "package"),
    "inspection": ("sync_inspection_documents", "inspection"),
    "adviser": ("sync_adviser_documents", "adviser"),
    "dependency-monkey": ("sync_dependency_monkey_documents", "dependency"),
    "security-indicator": ("sync_security_indicators_documents", "security"),
}

# The subset `make test` runs: a few documents of every type that together reach every writer
# (solver: a tree with package_license and dependencies, an unresolved requirement, an error, an
# unparsed requirement, a second solver version, an old solver name; both adviser reports the original
# accepts and one it refuses; the package-extract document, one inspection, one security-indicator).
SUBSET = frozenset(
    {
        "solver/solver-debian-12-py38-261126040558-77bff4f4676720a3.json",
        "solver/solver-debian-12-py38-261126040854-3b23d42319121ddc.json",
        "solver/solver-debian-12-py38-261126040902-76ad905253a2d50.json",
        "solver/solver-debian-12-py38-261126040557-25f4d36e0ca09b08.json",
        "solver/solver-debian-12-py38-261126041230-92d9ab3dc06d1209.json",
        "solver/solver-debian-12-py38-261126040735-1ca981ed2de00e3d.json",
        "solver/solver-fedora-31-py37-012b745d.json",
        "package-extract/package-extract-220106085041-a6e38c8593af545e.json",
        "inspection/inspection-tfcpu-matmul-5e5a1563",
        "adviser/adviser-220131050913-b7c4ef0fc532ac45.json",
        "adviser/adviser-ffd8c522.json",
        "adviser/adviser-e82b5ff8.json",
        "security-indicator/security-indicator-0a1b0355.json",
    }
)

# Read methods not asked: their answer is about the server, not the content (sizes, bloat estimates,
# connection state) or their argument is one of the original's model classes.
NOT_ASKED = frozenset(
    {
        "get_database_size",
        "get_bloat_data",
        "get_index_bloat_data",
        "is_connected",
        "get_entity_count",
    }
)

UNKNOWN = "no-such-name"


def deliberate() -> dict[str, dict[str, str]]:
    """The deliberate differences of schema/COMPATIBILITY.md: kind -> {id: reason}."""
    entries: dict[str, dict[str, str]] = {}
    body = COMPATIBILITY.read_text(encoding="utf-8")
    for line in body.splitlines():
        match = ENTRY.match(line)
        if match:
            entries.setdefault(match.group(1), {})[match.group(2)] = line[match.end() :].strip(" —-")
    return entries


@dataclass(frozen=True)
class Document:
    relative: str
    kind: str

    @property
    def path(self) -> str:
        return str(DOCUMENTS / self.relative)


def documents(subset: bool) -> list[Document]:
    """The real documents in sync order (kind by kind, names sorted); raw security reports are not documents."""
    found: list[Document] = []
    for kind in KINDS:
        for path in sorted((DOCUMENTS / kind).iterdir()):
            relative = path.relative_to(DOCUMENTS).as_posix()
            if path.name == "raw" or (subset and relative not in SUBSET):
                continue
            found.append(Document(relative, kind))
    return found


def _run_driver(settings: DatabaseSettings, mode: str, payload: object | None = None) -> Any:
    done = subprocess.run(
        [str(ORIGINAL_PYTHON), "-P", "-W", "ignore", str(DRIVER), mode],
        input=json.dumps(payload) if payload is not None else "",
        env={**os.environ, **settings.environment()},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"original_driver.py {mode} failed ({done.returncode}): {done.stderr[-4000:]}")
    return json.loads(done.stdout)


def sync_original(settings: DatabaseSettings, docs: Sequence[Document]) -> dict[str, str]:
    """Build the original's database and sync the documents; the ones it refuses, with its error."""
    plan = {"documents": [[KINDS[doc.kind][0], doc.path] for doc in docs]}
    failed: dict[str, str] = _run_driver(settings, "sync", plan)["failed"]
    return {str(Path(path).relative_to(DOCUMENTS).as_posix()): error for path, error in failed.items()}


def template_name(docs: Sequence[Document]) -> str:
    """The cached original database for these documents: named by a hash of the original's version,
    the driver and every document byte (an edited document or driver builds a new one)."""
    digest = hashlib.sha256()
    digest.update((ORIGINAL_PYTHON.parent.parent / f".thoth-storages-{ORIGINAL_VERSION}").name.encode())
    digest.update(DRIVER.read_bytes())
    for doc in docs:
        digest.update(doc.relative.encode())
        root = Path(doc.path)
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(path.relative_to(DOCUMENTS).as_posix().encode() + path.read_bytes())
    return f"thoth_compat_original_{digest.hexdigest()[:16]}"


def original_database(settings: DatabaseSettings, docs: Sequence[Document]) -> dict[str, str]:
    """Create `settings.database` as a copy of the cached original database, building the cache first
    when it is missing (THOTH_STORAGES_COMPAT_REBUILD=1 rebuilds it); the documents the original refused
    are kept in the template's comment."""
    from tests.conftest import admin, scratch_name

    template = replace(settings, database=template_name(docs))
    engine = make_engine(settings, "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            comment = connection.execute(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :name"),
                {"name": template.database},
            ).first()
    finally:
        engine.dispose()
    if comment is None or comment[0] is None or os.environ.get("THOTH_STORAGES_COMPAT_REBUILD") == "1":
        building = replace(settings, database=scratch_name("thoth_compat_building"))
        try:
            failed = sync_original(building, docs)
            admin(
                building,
                f'DROP DATABASE IF EXISTS "{template.database}" WITH (FORCE)',
                f'ALTER DATABASE "{building.database}" RENAME TO "{template.database}"',
                f"COMMENT ON DATABASE \"{template.database}\" IS '{json.dumps(failed).replace(chr(39), chr(39) * 2)}'",
            )
        finally:
            admin(building, f'DROP DATABASE IF EXISTS "{building.database}" WITH (FORCE)')
    else:
        failed = json.loads(comment[0])
    admin(settings, f'CREATE DATABASE "{settings.database}" TEMPLATE "{template.database}"')
    return failed


def sync_ours(graph: GraphDatabase, docs: Sequence[Document]) -> dict[str, str]:
    """Sync the documents with our handlers, one by one; the ones refused, with the error."""
    failed: dict[str, str] = {}
    for doc in docs:
        try:
            HANDLERS_MAPPING[KINDS[doc.kind][1]](document_ids=[doc.path], graph=graph, is_local=True)
        except Exception as error:
            failed[doc.relative] = f"{type(error).__name__}: {error}"
    return failed


# --- the questions -------------------------------------------------------------------------------------

Question = dict[str, Any]


@dataclass
class Samples:
    """Argument values per parameter name, from what the documents put into the original's database."""

    packages: list[tuple[str, str, str]]
    environments: list[tuple[str, str, str]]
    values: dict[str, list[object]]
    documents: dict[str, dict[str, Any]]


def _column(connection: Any, query: str) -> list[object]:
    return [row[0] for row in connection.execute(text(query))]


def samples(settings: DatabaseSettings, docs: Sequence[Document]) -> Samples:
    """Sample arguments: solved and erroneous packages, solver environments, ids of each document kind."""
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            triple = """SELECT e.package_name, e.package_version, i.url FROM python_package_version v
                JOIN python_package_version_entity e ON e.id = v.entity_id
                JOIN python_package_index i ON i.id = v.python_package_index_id"""
            packages: list[tuple[str, str, str]] = []
            for where in (
                "JOIN depends_on d ON d.version_id = v.id ORDER BY e.package_name, e.package_version",
                "JOIN solved s ON s.version_id = v.id WHERE s.error ORDER BY 1, 2",
                "JOIN solved s ON s.version_id = v.id WHERE s.error_unsolvable ORDER BY 1, 2",
                "ORDER BY e.package_name DESC, e.package_version",
            ):
                for row in connection.execute(text(f"{triple} {where} LIMIT 1")):
                    if tuple(row) not in packages:
                        packages.append((str(row[0]), str(row[1]), str(row[2])))
            environments = [
                (str(row[0]), str(row[1]), str(row[2]))
                for row in connection.execute(
                    text(
                        "SELECT DISTINCT os_name, os_version, python_version FROM ecosystem_solver ORDER BY 1, 2, 3"
                    )
                )
            ]
            first = packages[0]
            dependency = connection.execute(
                text(
                    """SELECT e.package_name, e.package_version FROM depends_on d
                    JOIN python_package_version_entity e ON e.id = d.entity_id
                    JOIN python_package_version v ON v.id = d.version_id
                    JOIN python_package_version_entity ve ON ve.id = v.entity_id
                    WHERE ve.package_name = :n AND ve.package_version = :v ORDER BY 1, 2 LIMIT 1"""
                ),
                {"n": first[0], "v": first[1]},
            ).first()
            values: dict[str, list[object]] = {
                "solver_name": _column(
                    connection, "SELECT DISTINCT solver_name FROM ecosystem_solver ORDER BY 1"
                ),
                "analysis_document_id": _column(
                    connection, "SELECT analysis_document_id FROM package_extract_run ORDER BY 1 LIMIT 2"
                ),
                "adviser_document_id": _column(
                    connection, "SELECT adviser_document_id FROM adviser_run ORDER BY 1 LIMIT 2"
                ),
                "solver_document_id": _column(
                    connection, "SELECT DISTINCT document_id FROM solved ORDER BY 1 LIMIT 2"
                ),
                "inspection_document_id": _column(
                    connection,
                    "SELECT DISTINCT inspection_document_id FROM inspection_run ORDER BY 1 LIMIT 1",
                ),
                "dependency_monkey_document_id": _column(
                    connection,
                    "SELECT dependency_monkey_document_id FROM dependency_monkey_run ORDER BY 1 LIMIT 1",
                ),
                "provenance_checker_document_id": _column(
                    connection,
                    "SELECT provenance_checker_document_id FROM provenance_checker_run ORDER BY 1 LIMIT 1",
                ),
                "si_aggregated_run_document_id": _column(
                    connection,
                    "SELECT si_aggregated_run_document_id FROM si_aggregated_run ORDER BY 1 LIMIT 1",
                ),
                "thoth_image_name": _column(
                    connection,
                    "SELECT DISTINCT thoth_image_name FROM software_environment"
                    " WHERE thoth_image_name IS NOT NULL ORDER BY 1",
                ),
                "thoth_image_version": _column(
                    connection,
                    "SELECT DISTINCT thoth_image_version FROM software_environment"
                    " WHERE thoth_image_version IS NOT NULL ORDER BY 1",
                ),
                "build_software_environment_name": _column(
                    connection,
                    "SELECT DISTINCT environment_name FROM software_environment ORDER BY 1 LIMIT 2",
                ),
                "source_type": [
                    *_column(
                        connection,
                        "SELECT DISTINCT source_type::text FROM adviser_run WHERE source_type IS NOT NULL",
                    ),
                    "KEBECHET",
                ],
                "import_name": [
                    *_column(connection, "SELECT import_package_name FROM import_package ORDER BY 1 LIMIT 2"),
                    "d*",
                ],
                "url": _column(connection, "SELECT url FROM python_package_index ORDER BY 1"),
                "software_stack_type": ["USER_STACK", "ADVISED_STACK"],
                "component": ["conv1d", "conv2d", "matmul", "pybench"],
                "platform": ["linux-x86_64", "win32"],
                "rule_id": [1, 999],
                "package_index_id": [1, 999],
                "inspection_result_number": [0, 1],
                "initial_date": ["01-01-2020", "01-01-2030", "2020-01-01"],  # DD-MM-YYYY, and a wrong format
                "final_date": ["01-01-2030", "01-01-2020"],
                "slug": ["thoth-station/example"],
                "kebechet_manager": ["UPDATE_MANAGER", "update"],
                "dependency_name": [dependency[0] if dependency else UNKNOWN],
                "dependency_version": [dependency[1] if dependency else UNKNOWN],
                "like": ["f%", "%a%"],
                "enabled": [True, False],
                "extras": [{"frozenset": [None]}],
            }
            values["run_software_environment_name"] = values["build_software_environment_name"]
    finally:
        engine.dispose()
    for name in list(values):
        if name.endswith("document_id") or name in {"import_name", "thoth_image_name", "solver_name"}:
            values[name] = [*values[name], UNKNOWN]
    loaded: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if (
            doc.kind in {"solver", "package-extract"}
            and doc.kind not in loaded
            and not Path(doc.path).is_dir()
        ):
            loaded[doc.kind] = json.loads(Path(doc.path).read_text(encoding="utf-8"))
    return Samples(packages, environments, values, loaded)


PACKAGE = ("package_name", "package_version", "index_url")
ENVIRONMENT = ("os_name", "os_version", "python_version")
# Flags worth turning from their default; each becomes its own question.
FLAGS = (
    "distinct",
    "is_external",
    "is_missing",
    "unsolvable",
    "unparseable",
    "has_error",
    "sort",
    "convert_datetime",
    "without_id",
    "limit_results",
    "provides_source_distro",
    "si_error",
    "marker_evaluation_result",
    "randomize",
    "is_active",
)


def _fill(parameter: Mapping[str, Any], samples: Samples, index: int = 0) -> object:
    name = str(parameter["name"])
    if name in PACKAGE:
        package = samples.packages[index % len(samples.packages)]
        return package[PACKAGE.index(name)]
    if name in ENVIRONMENT:
        environment = samples.environments[index % len(samples.environments)]
        return environment[ENVIRONMENT.index(name)]
    if name == "solver_document":
        return samples.documents.get("solver", {})
    if name == "analysis_document":
        return samples.documents.get("package-extract", {})
    options = samples.values.get(name)
    if options:
        return options[index % len(options)]
    return UNKNOWN


def questions(signatures: Mapping[str, Mapping[str, Any]], samples: Samples) -> list[Question]:
    """Argument sets per method: defaults, several samples for the required ones, each filter, pages, flags."""
    asked: list[Question] = []
    for method, info in sorted(signatures.items()):
        if method in NOT_ASKED:
            continue
        parameters = [p for p in info["parameters"] if p["kind"] not in ("VAR_KEYWORD",)]
        variadic = [p for p in parameters if p["kind"] == "VAR_POSITIONAL"]
        named = [p for p in parameters if p["kind"] != "VAR_POSITIONAL"]
        required = [p for p in named if p["required"]]
        optional = {p["name"]: p for p in named if not p["required"]}
        sets: list[tuple[list[object], dict[str, object]]] = []

        def base(index: int = 0, required: list[Any] = required) -> dict[str, object]:
            return {str(p["name"]): _fill(p, samples, index) for p in required}

        if variadic:
            tuples = [{"tuple": list(package)} for package in samples.packages]
            sets.extend([([package], {}) for package in tuples] + [(tuples, {})])
        sets.append(([], base()))
        for index in range(1, len(samples.packages)):
            if any(p["name"] in PACKAGE + ENVIRONMENT or p["name"] in samples.values for p in required):
                sets.append(([], base(index)))
        if any(p["name"] == "package_name" for p in required):
            sets.append(([], {**base(), "package_name": UNKNOWN}))
        for name in PACKAGE:
            if name in optional:
                sets.append(([], {**base(), name: _fill(optional[name], samples)}))
        if "package_name" in optional:
            sets.append(([], {**base(), "package_name": UNKNOWN}))
            for index in range(1, len(samples.packages)):
                chosen = {n: _fill(optional[n], samples, index) for n in PACKAGE if n in optional}
                sets.append(([], {**base(), **chosen}))
        if all(name in optional for name in ENVIRONMENT):
            for index in range(len(samples.environments)):
                chosen = {n: _fill(optional[n], samples, index) for n in ENVIRONMENT}
                sets.append(([], {**base(), **chosen}))
            sets.append(([], {**base(), "os_name": samples.environments[0][0]}))
            sets.append(([], {**base(), "os_name": UNKNOWN, "os_version": "0", "python_version": "0.0"}))
        for name in optional:
            if name in PACKAGE or name in ENVIRONMENT or name in FLAGS:
                continue
            if name in samples.values:
                for value in samples.values[name]:
                    sets.append(([], {**base(), name: value}))
        for name in FLAGS:
            if name in optional:
                default = optional[name]["default"]
                flipped: list[object] = [True, False] if default is None else [not default]
                for value in flipped:
                    sets.append(([], {**base(), name: value}))
        if "count" in optional:
            page = {"start_offset": 1, "count": 2} if "start_offset" in optional else {"count": 2}
            sets.append(([], {**base(), **page}))
            sets.append(([], {**base(), "count": None}))
        seen: set[str] = set()
        for args, kwargs in sets:
            key = json.dumps([args, kwargs], sort_keys=True)
            if key not in seen:
                seen.add(key)
                asked.append({"method": method, "args": args, "kwargs": kwargs})
    return asked


def ask_ours(graph: GraphDatabase, asked: Sequence[Question]) -> list[Any]:
    """Our canonical answers, encoded by the same function as the original's."""
    answers = []
    for question in asked:
        if not hasattr(graph, question["method"]):
            answers.append({"raises": "AttributeError"})
            continue
        answers.append(driver_answer(graph, question))
    return answers


# --- comparison ----------------------------------------------------------------------------------------


def _sorted_deep(value: Any) -> Any:
    """Lists sorted at every depth: the multiset form of an answer whose SQL has no ORDER BY."""
    if isinstance(value, list):
        return sorted(
            (_sorted_deep(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True)
        )
    if isinstance(value, dict):
        return {key: _sorted_deep(item) for key, item in value.items()}
    return value


def _size(value: Any) -> object:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict) and "dict" in value:
        return ("dict", len(value["dict"]))
    return value


def same(question: Question, ordered: bool | str, original: Any, ours: Any) -> bool:
    """Whether two canonical answers agree.

    Ordered methods (the original's SQL has ORDER BY; "sort" when only under `sort=True`) are compared
    as they are. Unordered ones, and
    randomized calls, as multisets; when such a call is also paged (start_offset > 0 or a page filled up
    to `count`), which rows come back is arbitrary, so only the number of rows (and errors) is compared.
    """
    if original == ours:
        return True
    kwargs = question["kwargs"]
    if ordered == "sort":
        ordered = bool(kwargs.get("sort"))
    if ordered and not question["randomized"]:
        return False
    if isinstance(original, dict) and "raises" in original:
        return False
    count = kwargs.get("count", question.get("default_count"))
    paged = bool(kwargs.get("start_offset")) or (
        isinstance(count, int) and isinstance(original, list) and len(original) >= count
    )
    if paged:
        return _size(original) == _size(ours) and not (isinstance(ours, dict) and "raises" in ours)
    return bool(_sorted_deep(original) == _sorted_deep(ours))


@dataclass
class Report:
    """What the suite found."""

    tables: int
    table_diffs: list[TableDiff]
    allowed_tables: dict[str, str]
    asked: list[Question]
    original: list[Any]
    ours: list[Any]
    equal: list[bool]
    allowed_answers: dict[str, str]
    original_failed: dict[str, str]
    ours_failed: dict[str, str]
    unlisted_documents: list[str] = field(default_factory=list)

    def methods(self) -> dict[str, list[int]]:
        grouped: dict[str, list[int]] = {}
        for index, question in enumerate(self.asked):
            grouped.setdefault(question["method"], []).append(index)
        return grouped

    def refused(self, index: int) -> bool:
        """A call the original answers and ours refuses with TypeError: a signature difference (issue 13
        part 2, checked by the signature test), counted apart from wrong answers."""
        return self.ours[index] == {"raises": "TypeError"} and self.original[index] != {"raises": "TypeError"}

    def unexplained_answers(self, *, signatures: bool = True) -> dict[str, list[int]]:
        """Per method not listed in COMPATIBILITY.md, the calls answered differently (`signatures=False`:
        leaving out the calls ours refuses with TypeError)."""
        found = {
            method: [i for i in indexes if not self.equal[i] and (signatures or not self.refused(i))]
            for method, indexes in self.methods().items()
            if method not in self.allowed_answers
        }
        return {method: indexes for method, indexes in found.items() if indexes}

    def unexplained_tables(self) -> list[TableDiff]:
        return [diff for diff in self.table_diffs if diff.table not in self.allowed_tables]

    def summary(self) -> str:
        methods = self.methods()
        fully = sum(all(self.equal[i] for i in indexes) for indexes in methods.values())
        return (
            f"{sum(self.equal)}/{len(self.asked)} questions equal, "
            f"{self.tables - len(self.table_diffs)}/{self.tables} tables equal, "
            f"{fully}/{len(methods)} methods fully equal; unexplained: "
            f"{sum(len(v) for v in self.unexplained_answers().values())} answer(s) of "
            f"{len(self.unexplained_answers())} method(s) "
            f"({sum(map(self.refused, range(len(self.asked))))} refused by ours with TypeError), "
            f"{len(self.unexplained_tables())} table(s), "
            f"{len(self.unlisted_documents)} document(s)"
        )

    def listed(self) -> str:
        """The differences found that COMPATIBILITY.md lists, one line each (its reason is there)."""
        lines = [f"listed document {path}: the original refuses it" for path in sorted(self.original_failed)]
        lines += [
            f"listed table {diff.table}: {diff.only_left.total()} row(s) only in the original's, "
            f"{diff.only_right.total()} only in ours"
            for diff in self.table_diffs
            if diff.table in self.allowed_tables
        ]
        for method, indexes in sorted(self.methods().items()):
            differ = sum(not self.equal[i] for i in indexes)
            if method in self.allowed_answers:
                state = (
                    f"{differ}/{len(indexes)} call(s) differ" if differ else "every call equal (stale entry?)"
                )
                lines.append(f"listed answer {method}: {state}")
        return "\n".join(lines)

    def details(self, limit: int = 2) -> str:
        lines = []
        for document in self.unlisted_documents:
            lines.append(f"document {document}: the original refuses it ({self.original_failed[document]})")
        for document, error in sorted(self.ours_failed.items()):
            lines.append(f"document {document}: ours refuses it, the original syncs it ({error})")
        for diff in self.unexplained_tables():
            lines.append(
                f"table {diff.table}: {diff.only_left.total()} row(s) only in the original's, "
                f"{diff.only_right.total()} only in ours"
            )
            lines.extend(f"  {line}" for line in _paired(diff, limit))
        for method, indexes in sorted(self.unexplained_answers().items()):
            lines.append(f"answer {method}: {len(indexes)}/{len(self.methods()[method])} differ")
            for index in indexes[:limit]:
                question = self.asked[index]
                lines.append(f"  call {json.dumps(question['args'])} {json.dumps(question['kwargs'])[:300]}")
                lines.append(f"    original: {_clip(self.original[index])}")
                lines.append(f"    ours:     {_clip(self.ours[index])}")
        return "\n".join(lines)


def _paired(diff: TableDiff, limit: int) -> list[str]:
    """The first rows that differ, each beside its closest row on the other side: only the columns that differ."""
    lines = []
    rights = list(diff.only_right)
    for left in sorted(diff.only_left, key=repr)[:limit]:
        if not rights:
            lines.append(f"original only: {_clip(repr(left))}")
            continue
        right = max(rights, key=lambda row: len(set(row) & set(left)))
        changed = {column for column, _ in set(left) ^ set(right)}
        shown = {c: v for c, v in left if c in changed}, {c: v for c, v in right if c in changed}
        lines.append(f"original {_clip(repr(shown[0]), 300)} | ours {_clip(repr(shown[1]), 300)}")
    if not diff.only_left:
        lines.extend(f"ours only: {_clip(repr(row))}" for row in sorted(rights, key=repr)[:limit])
    return lines


def _clip(value: Any, width: int = 400) -> str:
    rendered = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return rendered if len(rendered) <= width else rendered[: width - 1] + "…"


def _ignored_columns(allowed: Mapping[str, str]) -> dict[str, list[str]]:
    ignored: dict[str, list[str]] = {}
    for entry in allowed:
        if "." in entry:
            table, column = entry.split(".", 1)
            ignored.setdefault(table, []).append(column)
    return ignored


@contextmanager
def _original_database() -> Iterator[DatabaseSettings]:
    from tests.conftest import admin, scratch_name

    settings = replace(DatabaseSettings.from_env(), database=scratch_name("thoth_test_original"))
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


def run(subset: bool) -> Report:
    """Build both databases from the documents (ours a clone of the head template), compare tables and
    answers."""
    from tests.conftest import head_template, new_database

    listed = deliberate()
    docs = documents(subset)
    with _original_database() as original, new_database(head_template()) as ours:
        original_failed = original_database(original, docs)
        graph = GraphDatabase(ours)
        graph.connect()
        try:
            ours_failed = sync_ours(graph, [doc for doc in docs if doc.relative not in original_failed])
            allowed_tables = {entry: reason for entry, reason in listed.get("table", {}).items()}
            ignored = _ignored_columns(allowed_tables)
            left: Contents = table_contents(make_engine(original), ignore=ignored)
            right: Contents = table_contents(graph.engine, ignore=ignored)
            signatures = _run_driver(original, "signatures")
            asked = questions(signatures, samples(original, docs))
            original_answers = _run_driver(original, "ask", asked)
            our_answers = ask_ours(graph, asked)
        finally:
            graph.disconnect()
    for question in asked:
        defaults = {p["name"]: p["default"] for p in signatures[question["method"]]["parameters"]}
        question["default_count"] = defaults.get("count")
        question["randomized"] = bool(question["kwargs"].get("randomize", defaults.get("randomize")))
    equal = [
        same(question, signatures[question["method"]]["ordered"], a, b)
        for question, a, b in zip(asked, original_answers, our_answers, strict=True)
    ]
    allowed_answers = {
        entry.removeprefix("GraphDatabase."): reason for entry, reason in listed.get("answer", {}).items()
    }
    return Report(
        tables=len(left),
        table_diffs=diff_contents(left, right),
        allowed_tables=allowed_tables,
        asked=asked,
        original=original_answers,
        ours=our_answers,
        equal=equal,
        allowed_answers=allowed_answers,
        original_failed=original_failed,
        ours_failed=ours_failed,
        unlisted_documents=sorted(
            path
            for path in original_failed
            if not any(fnmatch.fnmatchcase(path, pattern) for pattern in listed.get("document", {}))
        ),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--all", action="store_true", help="every real document (default: the make-test subset)"
    )
    parser.add_argument("--json", type=Path, help="write every question and both answers here")
    options = parser.parse_args(argv)
    report = run(subset=not options.all)
    if options.json:
        options.json.write_text(
            json.dumps(
                [
                    {**q, "original": a, "ours": b, "equal": e}
                    for q, a, b, e in zip(
                        report.asked, report.original, report.ours, report.equal, strict=True
                    )
                ],
                indent=1,
            )
        )
    for text_ in (report.listed(), report.details()):
        if text_:
            print(text_)
    print(report.summary())
    clean = not (report.unexplained_answers() or report.unexplained_tables() or report.unlisted_documents)
    return 0 if clean and not report.ours_failed else 1


if __name__ == "__main__":
    sys.exit(main())
