"""Purges: move the result documents of rows about to be deleted out of the result stores, then delete
the rows. The purge methods are declared (`purge:` in schema/queries/purges.yaml); this is their runtime.

Each purge reads the document ids of the rows its filters name (one SELECT), moves every one of those
documents that is in the store to `{bucket_prefix}/{deployment}/{solver|adviser|package-extract}-purge-
{timestamp}/` (a copy, then the original is deleted: object-store calls, one per document), and then
deletes the rows in one statement (references go by ON DELETE CASCADE). A document missing from the store
is skipped (logged). The stores default to the ones the environment configures (THOTH_DEPLOYMENT_NAME,
THOTH_CEPH_*/THOTH_S3_*, or the local store); pass `store=` to use another.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from ..s3.ceph import CephStore
from ..s3.interface import DocumentStore
from ..s3.local import LocalStore
from ..s3.results import ResultStorageBase
from .adapter import AdapterBase

_LOGGER = logging.getLogger(__name__)


def sibling_store(store: DocumentStore, prefix: str) -> DocumentStore:
    """A document store on the same back end (bucket, endpoint or local root) rooted at `prefix`."""
    if isinstance(store, CephStore):
        return CephStore(
            prefix,
            host=store.host,
            key_id=store.key_id,
            secret_key=store.secret_key,
            bucket=store.bucket,
            region=store.region,
        )
    if isinstance(store, LocalStore):
        return LocalStore(prefix, root=store.root)
    raise TypeError(f"cannot open a purge folder next to {store!r}")


def purge_prefix(store: ResultStorageBase, kind: str, now: datetime.datetime) -> str:
    """`{bucket_prefix}/{deployment}/{kind}-purge-{YYYYmmddHHMMSS}/` next to the store's own folder."""
    parent = store.prefix.rstrip("/").rsplit("/", 1)[0]
    return f"{parent}/{kind}-purge-{now.strftime('%Y%m%d%H%M%S')}/"


def move_documents(
    store: ResultStorageBase, kind: str, document_ids: Sequence[str], now: datetime.datetime | None = None
) -> list[str]:
    """Move the documents (those the store has) to the purge folder; the ids moved."""
    if not store.is_connected():
        store.connect()
    target = sibling_store(store.ceph, purge_prefix(store, kind, now or datetime.datetime.now(datetime.UTC)))
    target.connect()
    moved = []
    for document_id in document_ids:
        if not store.ceph.document_exists(document_id):
            _LOGGER.warning(
                "purge: %s has no document %r; its rows are deleted anyway", store.prefix, document_id
            )
            continue
        target.store_blob(store.ceph.retrieve_blob(document_id), document_id)
        store.ceph.delete(document_id)
        moved.append(document_id)
    return moved


def purge_documents(
    graph: AdapterBase,
    documents: Callable[[Connection], list[str]],
    delete: Callable[[Connection, list[str]], int],
    store: ResultStorageBase,
    kind: str,
) -> int:
    """Read the document ids (`documents`), move those documents to the purge folder, then delete the
    rows naming them (`delete`, one statement) and empty the adapter's caches; the number deleted."""
    with graph._connection() as connection:
        document_ids = sorted(documents(connection))
    move_documents(store, kind, document_ids)
    with graph._connection(begin=True) as connection:
        deleted = delete(connection, document_ids)
    graph.cache_clear()
    return deleted


__all__ = ["move_documents", "purge_documents", "purge_prefix", "sibling_store"]
