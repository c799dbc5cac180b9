"""Choosing the back end: CephStore when an S3 endpoint is configured, the local store otherwise."""

from __future__ import annotations

import os

from .ceph import CephStore
from .interface import DocumentStore
from .local import LocalStore
from .settings import s3_configured


def open_document_store(
    prefix: str,
    *,
    host: str | None = None,
    key_id: str | None = None,
    secret_key: str | None = None,
    bucket: str | None = None,
    region: str | None = None,
    local_root: str | os.PathLike[str] | None = None,
) -> DocumentStore:
    """A document store for `prefix`: S3 when `host` or THOTH_S3_ENDPOINT_URL is set, else local files.

    The store is not connected yet; call `connect()`.
    """
    if s3_configured(host):
        return CephStore(
            prefix, host=host, key_id=key_id, secret_key=secret_key, bucket=bucket, region=region
        )
    return LocalStore(prefix, root=local_root)
