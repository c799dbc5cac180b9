"""Security-indicator stores: bandit, cloc and aggregated documents under one folder per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Unpack

from .base import ConnectionOptions, DelegatingStore, store_prefix
from .factory import open_document_store
from .jsontypes import Document, JSONObject
from .validation import validate

SECURITY_INDICATORS = "security-indicators"


class _SecurityIndicatorBase(DelegatingStore):
    """The document `RESULT_TYPE` of `{bucket_prefix}/{deployment}/security-indicators/{si_id}/`."""

    RESULT_TYPE: ClassVar[str] = ""
    DOCUMENT_TYPE: ClassVar[str] = ""

    def __init__(
        self,
        security_indicator_id: str,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        if not self.RESULT_TYPE:
            raise AssertionError(f"{type(self).__name__} must set RESULT_TYPE")
        self.security_indicator_id = security_indicator_id
        super().__init__(
            store_prefix(prefix, deployment_name, SECURITY_INDICATORS, security_indicator_id), **options
        )

    def retrieve_document(self) -> JSONObject:
        """The stored document (NotFoundError when none)."""
        return self.ceph.retrieve_document(self.RESULT_TYPE)

    def document_exists(self) -> bool:
        """Whether the document is stored."""
        return self.ceph.document_exists(self.RESULT_TYPE)

    def store_document(self, document: Document) -> None:
        """Validate (security-indicator-<RESULT_TYPE>) and store the document."""
        validate(document, self.DOCUMENT_TYPE)
        self.ceph.store_document(document, self.RESULT_TYPE)


class SIBanditStore(_SecurityIndicatorBase):
    """The si-bandit document (`.../bandit`)."""

    RESULT_TYPE = "bandit"
    DOCUMENT_TYPE = "security-indicator-bandit"


class SIClocStore(_SecurityIndicatorBase):
    """The si-cloc document (`.../cloc`)."""

    RESULT_TYPE = "cloc"
    DOCUMENT_TYPE = "security-indicator-cloc"


class SIAggregatedStore(_SecurityIndicatorBase):
    """The si-aggregator document (`.../aggregated`), the one the graph sync reads."""

    RESULT_TYPE = "aggregated"
    DOCUMENT_TYPE = "security-indicator-aggregated"


class SecurityIndicatorsResultsStore:
    """All documents of one security-indicator run: `.si_bandit`, `.si_cloc`, `.si_aggregated`."""

    def __init__(
        self,
        security_indicator_id: str,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        self.security_indicator_id = security_indicator_id
        self.si_bandit = SIBanditStore(security_indicator_id, deployment_name, prefix=prefix, **options)
        self.si_cloc = SIClocStore(security_indicator_id, deployment_name, prefix=prefix, **options)
        self.si_aggregated = SIAggregatedStore(
            security_indicator_id, deployment_name, prefix=prefix, **options
        )

    def _parts(self) -> tuple[_SecurityIndicatorBase, ...]:
        return (self.si_bandit, self.si_cloc, self.si_aggregated)

    def connect(self) -> None:
        """Connect the three stores."""
        for part in self._parts():
            part.connect()

    def is_connected(self) -> bool:
        """Whether the three stores are connected."""
        return all(part.is_connected() for part in self._parts())

    def check_connection(self) -> None:
        """Check that the object store answers."""
        self.si_aggregated.check_connection()

    @classmethod
    def iter_security_indicators(
        cls,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> Iterator[str]:
        """Ids of every stored security-indicator run, sorted."""
        store = open_document_store(store_prefix(prefix, deployment_name, SECURITY_INDICATORS), **options)
        store.connect()
        yield from store.get_folder_listing()

    @classmethod
    def get_security_indicators_count(
        cls,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> int:
        """Number of stored security-indicator runs."""
        return sum(1 for _ in cls.iter_security_indicators(deployment_name, prefix=prefix, **options))
