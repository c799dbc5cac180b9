"""store_stream: a stream longer than several multipart parts is stored byte for byte on every back end,
and a stream that fails part way stores nothing."""

from __future__ import annotations

import hashlib
import random
from typing import IO, cast

import pytest
from s3_helpers import Backend

from thoth_storages.s3 import GraphBackupStore

MIB = 1 << 20


class _Stream:
    """`total` pseudo-random bytes in reads of the size asked for; raises after `fail_after` bytes."""

    def __init__(self, total: int, fail_after: int | None = None) -> None:
        self._random = random.Random(total)
        self._left, self._sent, self._fail_after = total, 0, fail_after
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._fail_after is not None and self._sent >= self._fail_after:
            raise RuntimeError("the producer died")
        chunk = self._random.randbytes(min(self._left, size if size > 0 else MIB))
        self._left -= len(chunk)
        self._sent += len(chunk)
        self.sha256.update(chunk)
        return chunk


def test_a_long_stream_is_stored_whole(backend: Backend) -> None:
    store = GraphBackupStore()
    store.connect()
    stream = _Stream(3 * 8 * MIB + 12345)  # three full 8 MB parts and a short one
    store.ceph.store_stream(cast(IO[bytes], stream), "streamed")
    stored = store.ceph.retrieve_blob("streamed")
    assert len(stored) == 3 * 8 * MIB + 12345
    assert hashlib.sha256(stored).hexdigest() == stream.sha256.hexdigest()


def test_a_failing_stream_stores_nothing(backend: Backend) -> None:
    store = GraphBackupStore()
    store.connect()
    with pytest.raises(RuntimeError, match="the producer died"):
        store.ceph.store_stream(cast(IO[bytes], _Stream(40 * MIB, fail_after=20 * MIB)), "broken")
    assert not store.ceph.document_exists("broken")
    assert list(store.ceph.get_document_listing()) == []
