"""Throughput of document validation: the generated pydantic models against plain jsonschema.

Run from the repository root:

    .venv/bin/python benchmarks/validation.py [DOCUMENTS_DIR] [--seconds S]

DOCUMENTS_DIR defaults to ../shared/data/documents next to the repository, else tests/data/documents.
Every real document that is valid is validated, per document type, by

* pydantic: `Model.model_validate(parsed_document)` (the parsed JSON, as the sync holds it),
* pydantic-json: `Model.model_validate_json(raw_bytes)` (parsing included),
* jsonschema: `Draft202012Validator(schema).is_valid(parsed_document)` with the same schemas
  (schema/documents/*.json, cross-file $refs through a referencing registry),

in the same run and the same process. Throughput is MB of JSON text per second of validation.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jsonschema  # noqa: E402
import pydantic  # noqa: E402
from jsonschema import Draft202012Validator  # noqa: E402
from referencing import Registry, Resource  # noqa: E402

from generated.documents import DOCUMENT_MODELS  # noqa: E402

SCHEMA_DIR = REPO / "schema" / "documents"
DEFAULT_DIRS = (REPO.parent / "shared" / "data" / "documents", REPO / "tests" / "data" / "documents")


@dataclass
class Sample:
    document_type: str
    raw: bytes
    parsed: dict[str, Any]


def document_type(relative: str) -> str:
    parts = relative.split("/")
    if parts[0] == "inspection":
        return "inspection-specification" if parts[-2:] == ["build", "specification"] else "inspection-result"
    if parts[0] == "security-indicator":
        if parts[1] == "raw":
            return (
                "security-indicator-bandit"
                if relative.endswith("--bandit.json")
                else "security-indicator-cloc"
            )
        return "security-indicator-aggregated"
    return parts[0]


def load_samples(directory: Path) -> list[Sample]:
    samples = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix != ".md"):
        kind = document_type(path.relative_to(directory).as_posix())
        raw = path.read_bytes()
        parsed = json.loads(raw)
        try:
            DOCUMENT_MODELS[kind].model_validate(parsed)
        except pydantic.ValidationError:
            continue  # refused on purpose (legacy formats, no document id): nothing to measure
        samples.append(Sample(kind, raw, parsed))
    return samples


def jsonschema_validators() -> dict[str, Draft202012Validator]:
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMA_DIR.glob("*.json"))]
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    return {
        schema["$id"].rsplit("/", 1)[-1].removesuffix(".json"): Draft202012Validator(
            schema, registry=registry
        )
        for schema in schemas
    }


def throughput(samples: list[Sample], check: Callable[[Sample], bool], seconds: float) -> float:
    """MB/s of JSON text validated by `check`, repeating the whole set for at least `seconds`."""
    size = sum(len(sample.raw) for sample in samples)
    for sample in samples:  # warm-up (and a sanity check: every sample is valid)
        if not check(sample):
            raise AssertionError(f"a {sample.document_type} document did not validate")
    rounds = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds or rounds < 3:
        for sample in samples:
            check(sample)
        rounds += 1
        elapsed = time.perf_counter() - start
    return size * rounds / elapsed / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("documents_dir", nargs="?", type=Path)
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum time per measurement")
    args = parser.parse_args()
    directory = args.documents_dir or next(d for d in DEFAULT_DIRS if d.is_dir())
    samples = load_samples(directory)
    validators = jsonschema_validators()

    def by_pydantic(sample: Sample) -> bool:
        DOCUMENT_MODELS[sample.document_type].model_validate(sample.parsed)
        return True

    def by_pydantic_json(sample: Sample) -> bool:
        DOCUMENT_MODELS[sample.document_type].model_validate_json(sample.raw)
        return True

    def by_jsonschema(sample: Sample) -> bool:
        return validators[sample.document_type].is_valid(sample.parsed)

    print(f"documents: {directory} ({len(samples)} valid)")
    print(
        f"python {platform.python_version()}, pydantic {pydantic.VERSION}, jsonschema {jsonschema_version()},"
        f" {args.seconds:g} s minimum per cell"
    )
    header = (
        "document type",
        "docs",
        "KB",
        "pydantic MB/s",
        "pydantic-json MB/s",
        "jsonschema MB/s",
        "speed-up",
    )
    rows = []
    groups = sorted({sample.document_type for sample in samples})
    for group in [*groups, "all"]:
        chosen = [s for s in samples if group in ("all", s.document_type)]
        rates = [
            throughput(chosen, check, args.seconds)
            for check in (by_pydantic, by_pydantic_json, by_jsonschema)
        ]
        rows.append(
            (
                group,
                str(len(chosen)),
                f"{sum(len(s.raw) for s in chosen) / 1e3:.0f}",
                f"{rates[0]:.1f}",
                f"{rates[1]:.1f}",
                f"{rates[2]:.2f}",
                f"{rates[0] / rates[2]:.0f}x",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(header, widths, strict=True))
        )
    )
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    print("speed-up: pydantic (parsed documents) over jsonschema (parsed documents)")


def jsonschema_version() -> str:
    from importlib.metadata import version

    return version(jsonschema.__name__)


if __name__ == "__main__":
    main()
