"""Where documents to sync come from: the result stores, or local paths (`is_local=True`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from ..config import env_flag
from ..s3 import (
    AdvisersResultsStore,
    AnalysisResultsStore,
    DependencyMonkeyReportsStore,
    InspectionStore,
    ProvenanceResultsStore,
    ResultStorageBase,
    RevSolverResultsStore,
    SIAggregatedStore,
    SolverResultsStore,
)
from ..s3.jsontypes import JSONObject
from ..s3.security_indicators import SecurityIndicatorsResultsStore
from ..solver_stream import read_whole

PREFIXES = ("adviser", "dependency", "inspection", "package", "provenance", "solver", "revsolver", "security")

_RESULT_STORES: dict[str, type[ResultStorageBase]] = {
    "adviser": AdvisersResultsStore,
    "dependency": DependencyMonkeyReportsStore,
    "package": AnalysisResultsStore,
    "provenance": ProvenanceResultsStore,
    "solver": SolverResultsStore,
    "revsolver": RevSolverResultsStore,
}


@dataclass(frozen=True)
class Item:
    """One unit of sync work: a document (or one result of an inspection), loaded on demand."""

    prefix: str
    document_id: str
    load: Callable[[], JSONObject]
    result_number: int | None = None
    open: Callable[[], IO[bytes]] | None = None
    """The document as a seekable binary file, where it can be read so (large documents stream)."""

    @property
    def label(self) -> str:
        """The id shown in reports (`<inspection id>/results/<n>` for inspection results)."""
        return (
            self.document_id
            if self.result_number is None
            else f"{self.document_id}/results/{self.result_number}"
        )


def prefix_of(document_id: str) -> str:
    """The handler prefix: the text before the first `-` of the id's last path segment.

    The original searched the first `-` in the whole path, so hyphenated folders broke local routing.
    """
    name = Path(document_id.rstrip("/")).name
    return name.split("-", 1)[0]


def _read_json(path: Path) -> JSONObject:
    with path.open("rb") as file:
        return read_whole(file, str(path))


def _open_binary(path: Path) -> IO[bytes]:
    return path.open("rb")


def _shuffled(ids: list[str]) -> list[str]:
    """THOTH_STORAGES_RANDOMIZE_LISTING=1 shuffles listings (the original shuffled a copy: a no-op)."""
    if env_flag("THOTH_STORAGES_RANDOMIZE_LISTING"):
        random.shuffle(ids)
    return ids


def local_items(prefix: str, paths: Iterable[str]) -> Iterator[Item]:
    """Items from local files; an inspection is a directory with build/specification and results/<n>/result."""
    for raw in paths:
        path = Path(raw)
        if prefix == "inspection":
            yield from _local_inspection(path)
            continue
        name = path.name.removesuffix(".json")
        yield Item(prefix, name, partial(_read_json, path), open=partial(_open_binary, path))


def _result_numbers(results: Path) -> list[int]:
    return sorted(int(entry.name) for entry in results.iterdir() if entry.is_dir() and entry.name.isdigit())


def _local_inspection(path: Path) -> Iterator[Item]:
    specification = path / "build" / "specification"
    if not specification.is_file():
        raise FileNotFoundError(f"{path}: not an inspection directory (no build/specification)")
    for number in _result_numbers(path / "results"):
        result = path / "results" / str(number) / "result"

        yield Item(
            "inspection",
            path.name,
            partial(_inspection_document, path.name, number, specification, result),
            number,
        )


def _inspection_document(inspection_id: str, number: int, specification: Path, result: Path) -> JSONObject:
    return {
        "document_id": inspection_id,
        "result_number": number,
        "specification": _read_json(specification),
        "result": _read_json(result),
    }


def store_items(prefix: str, document_ids: Iterable[str] | None) -> Iterator[Item]:
    """Items from the result stores (S3, or the local document store when no endpoint is configured)."""
    if prefix == "inspection":
        yield from _store_inspections(document_ids)
    elif prefix == "security":
        ids = (
            list(document_ids)
            if document_ids is not None
            else _shuffled(list(SecurityIndicatorsResultsStore.iter_security_indicators()))
        )
        for document_id in ids:
            si_store = SIAggregatedStore(document_id)
            si_store.connect()
            yield Item(prefix, document_id, si_store.retrieve_document)
    else:
        result_store = _RESULT_STORES[prefix]()
        result_store.connect()
        listing = document_ids if document_ids is not None else result_store.get_document_listing()
        ids = list(listing) if document_ids is not None else _shuffled(list(listing))
        for document_id in ids:
            yield Item(
                prefix,
                document_id,
                partial(result_store.retrieve_document, document_id),
                open=partial(result_store.open_document, document_id),
            )


def _store_inspections(document_ids: Iterable[str] | None) -> Iterator[Item]:
    ids = (
        list(document_ids)
        if document_ids is not None
        else _shuffled(list(InspectionStore.iter_inspections()))
    )
    for inspection_id in ids:
        store = InspectionStore(inspection_id)
        store.connect()
        specification = store.retrieve_specification()
        for number in range(store.results.get_results_count()):
            load = partial(_stored_inspection_result, store, inspection_id, number, specification)
            yield Item("inspection", inspection_id, load, number)


def _stored_inspection_result(
    store: InspectionStore, inspection_id: str, number: int, specification: JSONObject
) -> JSONObject:
    return {
        "document_id": inspection_id,
        "result_number": number,
        "specification": specification,
        "result": store.results.retrieve_result(number),
    }
