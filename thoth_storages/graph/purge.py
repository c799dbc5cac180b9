"""Purges: move the result documents of rows about to be deleted out of the result stores, then delete
the rows.

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
from collections.abc import Sequence

from sqlalchemy import text

from ..s3.ceph import CephStore
from ..s3.interface import DocumentStore
from ..s3.local import LocalStore
from ..s3.results import AdvisersResultsStore, AnalysisResultsStore, ResultStorageBase, SolverResultsStore
from . import normalize
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


class PurgeMixin(AdapterBase):
    """The three purges of GraphDatabase."""

    def _purge(
        self,
        select: str,
        delete: str,
        parameters: dict[str, object],
        store: ResultStorageBase,
        kind: str,
    ) -> int:
        with self._connection() as connection:
            document_ids = sorted(
                str(found) for found in connection.execute(text(select), parameters).scalars()
            )
        move_documents(store, kind, document_ids)
        with self._connection(begin=True) as connection:
            deleted = int(connection.execute(text(delete), {**parameters, "ids": document_ids}).rowcount)
        self.cache_clear()
        return deleted

    def purge_solver_documents(
        self,
        *,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        store: SolverResultsStore | None = None,
    ) -> int:
        """Move the solver documents of the environment the filters name (None disables a filter) to the
        purge folder, then delete their solved records; the number of solved rows deleted."""
        os_name, os_version = normalize.os_filter(os_name, os_version)
        environment = (
            "(CAST(:o AS text) IS NULL OR e.os_name = :o) AND (CAST(:ov AS text) IS NULL OR e.os_version = :ov) "
            "AND (CAST(:p AS text) IS NULL OR e.python_version = :p)"
        )
        return self._purge(
            f"SELECT DISTINCT s.document_id FROM solved s JOIN ecosystem_solver e ON e.id = s.ecosystem_solver_id "
            f"WHERE {environment}",
            "DELETE FROM solved WHERE document_id = ANY(:ids)",
            {"o": os_name, "ov": os_version, "p": python_version},
            store or SolverResultsStore(),
            "solver",
        )

    def purge_adviser_documents(
        self,
        *,
        end_datetime: datetime.datetime | None = None,
        adviser_version: str | None = None,
        store: AdvisersResultsStore | None = None,
    ) -> int:
        """Move the documents of the adviser runs older than `end_datetime` and/or of `adviser_version` to
        the purge folder, then delete the runs; the number of runs deleted. ValueError without a filter."""
        if end_datetime is None and adviser_version is None:
            raise ValueError("purge_adviser_documents needs end_datetime or adviser_version")
        return self._purge(
            "SELECT adviser_document_id FROM adviser_run WHERE (CAST(:end AS timestamp) IS NULL OR datetime < :end) "
            "AND (CAST(:version AS text) IS NULL OR adviser_version = :version)",
            "DELETE FROM adviser_run WHERE adviser_document_id = ANY(:ids)",
            {"end": end_datetime, "version": adviser_version},
            store or AdvisersResultsStore(),
            "adviser",
        )

    def purge_package_extract_documents(
        self,
        *,
        end_datetime: datetime.datetime | None = None,
        package_extract_version: str | None = None,
        store: AnalysisResultsStore | None = None,
    ) -> int:
        """Move the documents of the image analyses older than `end_datetime` and/or of
        `package_extract_version` to the purge folder, then delete the analyses; the number deleted.
        ValueError without a filter."""
        if end_datetime is None and package_extract_version is None:
            raise ValueError("purge_package_extract_documents needs end_datetime or package_extract_version")
        return self._purge(
            "SELECT analysis_document_id FROM package_extract_run WHERE "
            "(CAST(:end AS timestamp) IS NULL OR datetime < :end) "
            "AND (CAST(:version AS text) IS NULL OR package_extract_version = :version)",
            "DELETE FROM package_extract_run WHERE analysis_document_id = ANY(:ids)",
            {"end": end_datetime, "version": package_extract_version},
            store or AnalysisResultsStore(),
            "package-extract",
        )


__all__ = ["PurgeMixin", "move_documents", "purge_prefix", "sibling_store"]
