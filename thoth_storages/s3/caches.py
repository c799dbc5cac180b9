"""Cache stores: results kept for a fixed time-to-live measured from the object's LastModified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from ..exceptions import CacheMissError, NotFoundError
from .jsontypes import Document, JSONObject
from .results import ResultStorageBase


class CephCache(ResultStorageBase):
    """A ResultStorageBase whose records expire `CACHE_TTL` (4 hours) after they were written.

    Expiry is advisory, as in the original: `retrieve_document_ttl` reports the seconds left and
    callers decide; expired records are still returned by `retrieve_document_record`.
    """

    CACHE_TTL: ClassVar[timedelta] = timedelta(hours=4)

    def retrieve_document_record(self, document_id: str) -> JSONObject:
        """The cached record (CacheMissError when there is none)."""
        try:
            return self.retrieve_document(document_id)
        except NotFoundError as exc:
            raise CacheMissError(f"no cache record {document_id!r} in {type(self).__name__}: {exc}") from None

    def store_document_record(self, document_id: str, document: Document) -> None:
        """Store a cache record as is (no schema check)."""
        self.ceph.store_document(document, document_id)

    def retrieve_document_ttl(self, document_id: str, *, now: datetime | None = None) -> float:
        """Seconds the record has left (0.0 when expired); NotFoundError when there is no record."""
        written = self.ceph.last_modified(document_id)
        current = now or datetime.now(UTC)
        if current.tzinfo is None:
            current = current.replace(tzinfo=UTC)
        left = (written + self.CACHE_TTL - current).total_seconds()
        return max(left, 0.0)


class AdvisersCacheStore(CephCache):
    """Cached adviser results."""

    RESULT_TYPE = "adviser-cache"
    DOCUMENT_ID_PREFIX = "adviser"


class AnalysesCacheStore(CephCache):
    """Cached image analyses."""

    RESULT_TYPE = "analysis-cache"
    DOCUMENT_ID_PREFIX = "package-extract"


class BuildLogsAnalysesCacheStore(CephCache):
    """Cached build-log analyses."""

    RESULT_TYPE = "buildlogs-analysis-cache"
    VALIDATE = False


class ProvenanceCacheStore(CephCache):
    """Cached provenance-checker results."""

    RESULT_TYPE = "provenance-cache"
    DOCUMENT_ID_PREFIX = "provenance-checker"
