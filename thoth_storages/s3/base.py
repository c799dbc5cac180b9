"""Shared plumbing of the store classes: key prefixes and delegation to one document store."""

from __future__ import annotations

import os
from typing import TypedDict

from .factory import open_document_store
from .interface import DocumentStore, StorageBase
from .settings import bucket_prefix, deployment_name


class ConnectionOptions(TypedDict, total=False):
    """Back-end arguments every store class accepts (unset ones come from the environment)."""

    host: str | None
    key_id: str | None
    secret_key: str | None
    bucket: str | None
    region: str | None
    local_root: str | os.PathLike[str] | None


def store_prefix(prefix: str | None, deployment: str | None, *parts: str) -> str:
    """`{bucket_prefix}/{deployment}/{parts...}/` with the two first parts from the environment when unset."""
    return "/".join([bucket_prefix(prefix), deployment_name(deployment), *parts]) + "/"


class DelegatingStore(StorageBase):
    """A store class working on one document store `self.ceph` rooted at `self.prefix`."""

    def __init__(
        self,
        prefix: str,
        *,
        host: str | None = None,
        key_id: str | None = None,
        secret_key: str | None = None,
        bucket: str | None = None,
        region: str | None = None,
        local_root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.ceph: DocumentStore = open_document_store(
            prefix,
            host=host,
            key_id=key_id,
            secret_key=secret_key,
            bucket=bucket,
            region=region,
            local_root=local_root,
        )

    def is_connected(self) -> bool:
        """Whether the underlying document store is connected."""
        return self.ceph.is_connected()

    def connect(self) -> None:
        """Connect the underlying document store."""
        self.ceph.connect()

    def check_connection(self) -> None:
        """Check that the underlying document store answers."""
        self.ceph.check_connection()
