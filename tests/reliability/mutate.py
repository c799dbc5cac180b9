"""A seeded mutator of the real workflow documents, for the sync's refusal tests (no thoth_storages import).

`mutants(seed, count)` yields `count` mutants, deterministically for a seed, spread over every real
document type (adviser, dependency-monkey, inspection specification and result, package-extract,
security-indicator, solver) and over the mutation kinds in `KINDS`: numbers out of every integer
range, NaN and Infinity, NUL characters, lone surrogates, malformed dates and quantities, nesting 3000
deep, values of the wrong type, removed keys, a `metadata.document_id` that is not the file name,
another JSON value in place of the document, and text cut short.
Each mutant names its kind and the JSON path it changed; `Mutant.write(folder)` lays it out as the
sync reads it (`<id>.json`, or an inspection folder `<id>/build/specification` + `results/0/result`).

Used by tests/reliability/test_mutants.py (a few hundred, in `make test`) and test_fuzz.py (from S3
and local files; 6,000 in `make reliability`); a longer run passes a larger count (`python -m tests.reliability.mutate SEED COUNT FOLDER` writes them out).
"""

from __future__ import annotations

import copy
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "documents"

JSON = None | bool | int | float | str | list["JSON"] | dict[str, "JSON"]
Step = str | int

DEEP = 3000
"""Nesting of the `deep` mutation."""

_DEEP_MARK = "\x00deep-nesting-mark\x00"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_QUANTITY = re.compile(r"^\d+(\.\d+)?\s*[A-Za-z]{0,3}$")


@dataclass(frozen=True)
class Source:
    """One real document: its type, its id (the file or folder name) and its parts.

    Plain documents have one part (`document`); an inspection has `specification` and `result`."""

    document_type: str
    document_id: str
    parts: dict[str, JSON]


@dataclass(frozen=True)
class Mutant:
    """One mutated real document."""

    number: int
    kind: str
    document_type: str
    document_id: str
    part: str
    path: str
    """The JSON path the mutation changed, within `part`."""
    texts: dict[str, bytes]
    """Part name -> the file's bytes."""

    def write(self, folder: Path) -> Path:
        """Lay the mutant out under `folder` as the sync reads it; returns the path to sync."""
        if "document" in self.texts:
            target = folder / f"{self.document_id}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.texts["document"])
            return target
        target = folder / self.document_id
        (target / "build").mkdir(parents=True, exist_ok=True)
        (target / "results" / "0").mkdir(parents=True, exist_ok=True)
        (target / "build" / "specification").write_bytes(self.texts["specification"])
        (target / "results" / "0" / "result").write_bytes(self.texts["result"])
        return target


def _load(path: Path) -> JSON:
    value: JSON = json.loads(path.read_bytes())
    return value


def real_sources(data_dir: Path = DATA_DIR) -> list[Source]:
    """Every real document the sync takes, sorted by type and id (the si-bandit and si-cloc inputs in
    security-indicator/raw are not sync documents; an inspection without specification is left out)."""
    sources: list[Source] = []
    folders = {
        "adviser": "adviser",
        "dependency-monkey": "dependency-monkey",
        "package-extract": "package-extract",
        "security-indicator": "security-indicator",
        "solver": "solver",
    }
    for document_type, folder in folders.items():
        for path in sorted((data_dir / folder).glob("*.json")):
            sources.append(Source(document_type, path.stem, {"document": _load(path)}))
    for inspection in sorted((data_dir / "inspection").iterdir()):
        specification = inspection / "build" / "specification"
        results = sorted(inspection.glob("results/*/result"))
        if specification.is_file() and results:
            parts = {"specification": _load(specification), "result": _load(results[0])}
            sources.append(Source("inspection", inspection.name, parts))
    return sources


# ------------------------------------------------------------------------------------------- locations


def _member(key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f".{key}"
    return "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']"


def json_path(steps: tuple[Step, ...]) -> str:
    """`$.a[3]['b-c']` for the steps ("a", 3, "b-c")."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else _member(step) for step in steps)


def _locations(value: JSON, steps: tuple[Step, ...] = ()) -> Iterator[tuple[tuple[Step, ...], JSON]]:
    """Every (steps, value) in the document, the root included, iteratively."""
    stack: list[tuple[tuple[Step, ...], JSON]] = [(steps, value)]
    while stack:
        where, node = stack.pop()
        yield where, node
        if isinstance(node, dict):
            stack.extend(((*where, key), item) for key, item in node.items())
        elif isinstance(node, list):
            stack.extend(((*where, index), item) for index, item in enumerate(node))


def _set(document: JSON, steps: tuple[Step, ...], value: JSON) -> JSON:
    if not steps:
        return value
    parent = document
    for step in steps[:-1]:
        parent = parent[step]  # type: ignore[index,call-overload]
    parent[steps[-1]] = value  # type: ignore[index]
    return document


# ------------------------------------------------------------------------------------------- mutations

Mutation = Callable[[random.Random, JSON], JSON]
"""The new value at a location, given the old one."""


def _out_of_range(rng: random.Random, _old: JSON) -> JSON:
    return rng.choice([2**15, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, -(10**40)])


def _not_finite(rng: random.Random, _old: JSON) -> JSON:
    return rng.choice([float("nan"), float("inf"), float("-inf")])


def _with(character: str) -> Mutation:
    def mutate(rng: random.Random, old: JSON) -> JSON:
        text = str(old)
        at = rng.randint(0, len(text))
        return text[:at] + character + text[at:]

    return mutate


def _bad_date(rng: random.Random, _old: JSON) -> JSON:
    return rng.choice(
        ["2021-02-30T10:00:00", "2021-13-01", "20210101T99:99", "yesterday", "2021-01-01T25:61:61Z"]
    )


def _bad_quantity(rng: random.Random, _old: JSON) -> JSON:
    return rng.choice(["12XYZ", "1.2.3Gi", "-", "1e999", "NaNMi", "four cores"])


def _deep(_rng: random.Random, _old: JSON) -> JSON:
    return _DEEP_MARK


def _wrong_type(rng: random.Random, old: JSON) -> JSON:
    choices: list[JSON] = [None, True, 7, -1.5, "text", [], {}, ["a", 1], {"x": None}]
    return rng.choice([choice for choice in choices if type(choice) is not type(old)])


def _is_int(value: JSON) -> bool:
    return type(value) is int


def _is_number(value: JSON) -> bool:
    return type(value) in (int, float)


def _is_text(value: JSON) -> bool:
    return isinstance(value, str)


def _is_date(value: JSON) -> bool:
    return isinstance(value, str) and bool(_DATE.match(value))


def _is_quantity(value: JSON) -> bool:
    return isinstance(value, str) and bool(_QUANTITY.match(value)) and not value.isdigit()


def _anything(_value: JSON) -> bool:
    return True


KINDS: dict[str, tuple[Callable[[JSON], bool], Mutation]] = {
    "int-range": (_is_int, _out_of_range),
    "nan": (_is_number, _not_finite),
    "nul": (_is_text, _with("\x00")),
    "surrogate": (_is_text, _with("\ud800")),
    "line-separator": (_is_text, _with("\u2028")),
    "bad-date": (_is_date, _bad_date),
    "bad-quantity": (_is_quantity, _bad_quantity),
    "deep": (_anything, _deep),
    "wrong-type": (_anything, _wrong_type),
}
"""Kind -> (which values it applies to, the new value). Four more kinds change the structure or the
text: `removed-key` deletes a member, `document-id` changes `metadata.document_id`, `not-object` replaces
the whole document by another JSON value, `cut` ends the text at a random byte (a half-written file)."""

ALL_KINDS = (*KINDS, "removed-key", "document-id", "not-object", "cut")


def _mutate(rng: random.Random, kind: str, document: JSON) -> tuple[JSON, tuple[Step, ...]] | None:
    """The mutated copy and the path changed, or None when the document has no place for `kind`."""
    if kind in ("not-object", "cut"):
        return (rng.choice([[], "document", 7, None]) if kind == "not-object" else document), ()
    mutant = copy.deepcopy(document)
    if kind == "document-id":
        metadata = mutant.get("metadata") if isinstance(mutant, dict) else None
        if not isinstance(metadata, dict) or not isinstance(metadata.get("document_id"), str):
            return None
        metadata["document_id"] = str(metadata["document_id"]) + rng.choice(["-other", "x", "-0"])
        return mutant, ("metadata", "document_id")
    locations = list(_locations(mutant))
    if kind == "removed-key":
        members = [(where, key) for where, node in locations if isinstance(node, dict) for key in node]
        if not members:
            return None
        where, key = rng.choice(members)
        parent = mutant
        for step in where:
            parent = parent[step]  # type: ignore[index,call-overload]
        assert isinstance(parent, dict)
        del parent[key]
        return mutant, (*where, key)
    applies, change = KINDS[kind]
    eligible = [where for where, node in locations if where and applies(node)]
    if not eligible:
        return None
    where = rng.choice(eligible)
    old = mutant
    for step in where:
        old = old[step]  # type: ignore[index,call-overload]
    return _set(mutant, where, change(rng, old)), where


def _text(value: JSON) -> bytes:
    """The JSON text (NaN and Infinity as Python writes them, lone surrogates as \\ud800 escapes, the
    deep-nesting mark as DEEP nested arrays)."""
    text = json.dumps(value, allow_nan=True)
    mark = json.dumps(_DEEP_MARK)
    return text.replace(mark, "[" * DEEP + "1" + "]" * DEEP).encode("utf-8")


def mutants(seed: int, count: int, data_dir: Path = DATA_DIR) -> Iterator[Mutant]:
    """`count` mutants of the real documents, the same ones for the same seed: the document types,
    then the kinds, taken in turn, each kind applied at a random eligible place."""
    rng = random.Random(seed)
    sources = real_sources(data_dir)
    by_type: dict[str, list[Source]] = {}
    for source in sources:
        by_type.setdefault(source.document_type, []).append(source)
    types = sorted(by_type)
    number = 0
    attempt = 0
    while number < count:
        source = rng.choice(by_type[types[attempt % len(types)]])
        kind = ALL_KINDS[(attempt // len(types)) % len(ALL_KINDS)]
        attempt += 1
        part = rng.choice(sorted(source.parts))
        mutated = _mutate(rng, kind, source.parts[part])
        if mutated is None:
            if attempt > 50 * (count + 1):
                raise RuntimeError("the documents offer no place for the mutations")
            continue
        value, steps = mutated
        texts = {name: _text(value if name == part else original) for name, original in source.parts.items()}
        if kind == "cut":
            texts[part] = texts[part][: rng.randrange(1, len(texts[part]))]
        yield Mutant(number, kind, source.document_type, source.document_id, part, json_path(steps), texts)
        number += 1


def main(arguments: list[str]) -> int:
    """`python -m tests.reliability.mutate SEED COUNT FOLDER`: write the mutants out, one folder each."""
    seed, count, folder = int(arguments[0]), int(arguments[1]), Path(arguments[2])
    for mutant in mutants(seed, count):
        path = mutant.write(folder / f"{mutant.number:06d}")
        print(f"{mutant.number}\t{mutant.kind}\t{mutant.document_type}\t{mutant.part}\t{mutant.path}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
