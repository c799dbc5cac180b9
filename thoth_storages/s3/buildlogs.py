"""BuildLogsStore: build logs stored under the SHA-256 of their serialised content."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import ClassVar

from .base import DelegatingStore, store_prefix
from .interface import dict2blob
from .jsontypes import Document, JSONObject


class BuildLogsStore(DelegatingStore):
    """Build logs under `{bucket_prefix}/{deployment}/buildlogs/buildlog-<sha256>`."""

    RESULT_TYPE: ClassVar[str] = "buildlogs"

    def __init__(
        self,
        deployment_name: str | None = None,
        *,
        bucket_prefix: str | None = None,
        host: str | None = None,
        key_id: str | None = None,
        secret_key: str | None = None,
        bucket: str | None = None,
        region: str | None = None,
        local_root: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(
            store_prefix(bucket_prefix, deployment_name, self.RESULT_TYPE),
            host=host,
            key_id=key_id,
            secret_key=secret_key,
            bucket=bucket,
            region=region,
            local_root=local_root,
        )

    @staticmethod
    def get_document_id(document: Document) -> str:
        """`buildlog-` + SHA-256 hex of the document's `dict2blob` bytes."""
        return "buildlog-" + hashlib.sha256(dict2blob(document)).hexdigest()

    def store_document(self, document: Document) -> str:
        """Store a build log; returns its content-derived id (storing the same log twice is a no-op)."""
        document_id = self.get_document_id(document)
        self.ceph.store_document(document, document_id)
        return document_id

    def retrieve_document(self, document_id: str) -> JSONObject:
        """The build log stored under `document_id` (NotFoundError when none)."""
        return self.ceph.retrieve_document(document_id)

    def document_exists(self, document_id: str) -> bool:
        """Whether a build log is stored under `document_id`."""
        return self.ceph.document_exists(document_id)

    def iterate_results(self) -> Iterator[tuple[str, JSONObject]]:
        """(document_id, build log) for every stored build log."""
        return self.ceph.iterate_results()

    def get_document_listing(self) -> Iterator[str]:
        """Ids of every stored build log."""
        return self.ceph.get_document_listing()
