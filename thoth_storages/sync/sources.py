"""Where documents to sync come from: the result stores, or local paths (`is_local=True`).

Nothing here raises while the sync walks the items: a listing that breaks, an inspection without its
specification or an id no store can hold becomes a failed item (`Item.failure`) that names it, so a
graceful sync reports it and goes on with the next item.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from generated.kinds import KINDS, KINDS_BY_PREFIX, Kind

from .. import s3
from ..document_ids import check_document_id
from ..exceptions import ListingError, NotFoundError
from ..reasons import reason, short_id
from ..s3 import InspectionStore, ResultStorageBase, SIAggregatedStore
from ..s3.jsontypes import JSONObject
from ..s3.security_indicators import SecurityIndicatorsResultsStore
from ..solver_stream import read_whole


def result_stores() -> dict[Kind, type[ResultStorageBase]]:
    """Each kind with a result store (schema/documents/kinds.yaml) -> the store class its documents
    are listed from (inspections and security indicators are listed by their own stores, see
    `store_items`)."""
    stores: dict[Kind, type[ResultStorageBase]] = {}
    for kind in KINDS:
        if kind.result_store is None:
            continue
        store = getattr(s3, kind.result_store)
        if not (isinstance(store, type) and issubclass(store, ResultStorageBase)):
            raise TypeError(f"thoth_storages.s3.{kind.result_store} is not a result store (kinds.yaml)")
        stores[kind] = store
    return stores


@dataclass(frozen=True)
class Item:
    """One unit of sync work: a document (or one result of an inspection), loaded on demand."""

    prefix: str
    document_id: str
    load: Callable[[], JSONObject]
    result_number: int | None = None
    open: Callable[[], IO[bytes]] | None = None
    """The document as a seekable binary file, where it can be read so (large documents stream)."""
    failure: Exception | None = None
    """Why the item cannot be synced at all (set on items that stand for a broken listing or part)."""

    @property
    def label(self) -> str:
        """The id shown in reports (`<inspection id>/results/<n>` for inspection results)."""
        return (
            self.document_id
            if self.result_number is None
            else f"{self.document_id}/results/{self.result_number}"
        )


def failed_item(prefix: str, label: str, error: Exception) -> Item:
    """An item that fails with `error` (a broken listing, a missing part, an invalid id)."""

    def load() -> JSONObject:
        raise error

    return Item(prefix, label, load, failure=error)


def _guarded(prefix: str, label: str, items: Iterator[Item], *, listing: bool = True) -> Iterator[Item]:
    """`items`, and when producing them fails, one failed item naming `label` instead of an exception:
    the items produced before stay. A `listing` (a page that cannot be read, say) fails with a
    ListingError naming it; otherwise (one inspection's parts) with the error itself."""
    try:
        yield from items
    except Exception as error:  # whatever breaks a listing fails that listing, not the sync
        failure = error
        if listing:
            failure = ListingError(label, reason(error))
            failure.__cause__ = error
        yield failed_item(prefix, label, failure)


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


def _listed(ids: Iterable[str], randomize: bool) -> Iterable[str]:
    """With `randomize` the listing is shuffled (the original shuffled a copy: a no-op); otherwise it is
    walked as it comes, page by page."""
    if not randomize:
        return ids
    shuffled = list(ids)
    random.shuffle(shuffled)
    return shuffled


def _checked(item: Item) -> Item:
    """`item` when its id is one a store can hold (checked before any store is asked for it), a
    failed item naming it otherwise."""
    try:
        check_document_id(item.document_id)
    except ValueError as error:
        return failed_item(item.prefix, item.document_id, error)
    return item


def local_items(prefix: str, paths: Iterable[str]) -> Iterator[Item]:
    """Items from local files; an inspection is a directory with build/specification and results/<n>/result."""
    for raw in paths:
        path = Path(raw)
        if prefix == "inspection":
            yield from _guarded(prefix, path.name, _local_inspection(path), listing=False)
            continue
        name = path.name.removesuffix(".json")
        yield _checked(
            Item(prefix, name, partial(_read_json, path), open=partial(_open_binary, path)),
        )


def _result_numbers(results: Path) -> list[int]:
    return sorted(int(entry.name) for entry in results.iterdir() if entry.is_dir() and entry.name.isdigit())


def _local_inspection(path: Path) -> Iterator[Item]:
    check_document_id(path.name)
    specification = path / "build" / "specification"
    if not specification.is_file():
        raise NotFoundError(f"{short_id(str(path))}: no build/specification (an inspection needs one)")
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


def store_items(prefix: str, document_ids: Iterable[str] | None, randomize: bool = False) -> Iterator[Item]:
    """Items from the result stores (S3, or the local document store when no endpoint is configured);
    `randomize` shuffles the listings."""
    if prefix == "inspection":
        listing = InspectionStore.iter_inspections
        ids = document_ids if document_ids is not None else _listed(listing(), randomize)
        yield from _guarded(prefix, "the inspection listing", _store_inspections(ids))
    elif prefix == "security":
        listing = SecurityIndicatorsResultsStore.iter_security_indicators
        ids = document_ids if document_ids is not None else _listed(listing(), randomize)
        yield from _guarded(prefix, "the security-indicator listing", _si_items(ids))
    else:
        results = _stored_results(prefix, document_ids, randomize)
        yield from _guarded(prefix, f"the {prefix} listing", results)


def _si_items(ids: Iterable[str]) -> Iterator[Item]:
    for document_id in ids:
        yield _checked(Item("security", document_id, partial(_si_document, document_id)))


def _stored_results(prefix: str, document_ids: Iterable[str] | None, randomize: bool) -> Iterator[Item]:
    result_store = result_stores()[KINDS_BY_PREFIX[prefix]]()
    result_store.connect()
    ids = (
        document_ids if document_ids is not None else _listed(result_store.get_document_listing(), randomize)
    )
    for document_id in ids:
        yield _checked(
            Item(
                prefix,
                document_id,
                partial(result_store.retrieve_document, document_id),
                open=partial(result_store.open_document, document_id),
            ),
        )


def _si_document(document_id: str) -> JSONObject:
    si_store = SIAggregatedStore(document_id)
    si_store.connect()
    return si_store.retrieve_document()


def _store_inspections(ids: Iterable[str]) -> Iterator[Item]:
    for inspection_id in ids:
        yield from _guarded("inspection", inspection_id, _store_inspection(inspection_id), listing=False)


def _store_inspection(inspection_id: str) -> Iterator[Item]:
    check_document_id(inspection_id)
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
