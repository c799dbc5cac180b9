"""What every document store offers: the blob format, the store protocol and the abstract store base."""

from __future__ import annotations

import abc
import io
import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Protocol, runtime_checkable

from ..solver_stream import read_whole
from .jsontypes import Document, JSONObject


def dict2blob(dictionary: Document) -> bytes:
    """Serialise a document the way the original does: sorted keys, indent 2, ": " separators, UTF-8.

    The bytes matter: build-log ids are the SHA-256 of this output.
    """
    return json.dumps(dictionary, sort_keys=True, separators=(",", ": "), indent=2).encode("utf-8")


def blob2dict(blob: bytes, key: str) -> JSONObject:
    """Parse a stored blob as a JSON object, as a local document file is read: anything else is a
    DocumentValidationError (a SchemaError) naming the key and the JSON path (`$` for text that does
    not parse or is not an object, the first value nested too deep)."""
    return read_whole(io.BytesIO(blob), key)


@runtime_checkable
class DocumentStore(Protocol):
    """The interface shared by CephStore (S3) and LocalStore (filesystem).

    Keys are relative to `prefix`; the stored object is `prefix + key`.
    """

    prefix: str

    def connect(self) -> None:
        """Open the back end; every other call but `is_connected` needs it."""

    def is_connected(self) -> bool:
        """Whether `connect()` was called."""

    def check_connection(self) -> None:
        """Raise StorageConnectionError/ConfigurationError when the back end cannot serve requests."""

    def get_document_listing(self, prefix_addition: str = "") -> Iterator[str]:
        """Keys (relative to the prefix) starting with `prefix_addition`, in lexicographic order."""

    def get_folder_listing(self, prefix_addition: str = "") -> Iterator[str]:
        """Names of the "folders" directly under `prefix + prefix_addition` (S3 common prefixes)."""

    def iterate_results(self, prefix_addition: str | None = None) -> Iterator[tuple[str, JSONObject]]:
        """(key, parsed document) for every key of `get_document_listing(prefix_addition)`."""

    def store_blob(self, blob: bytes, object_key: str) -> None:
        """Store raw bytes under `object_key`."""

    def store_document(self, document: Document, document_id: str) -> None:
        """Store a document serialised with `dict2blob`."""

    def store_file(self, document_path: str | os.PathLike[str], document_id: str) -> None:
        """Upload a file's content under `document_id`."""

    def store_stream(self, stream: IO[bytes], object_key: str) -> None:
        """Store what `stream` yields until its end under `object_key`, a chunk at a time; nothing is
        stored when reading the stream raises."""

    def retrieve_blob(self, object_key: str) -> bytes:
        """The bytes under `object_key`; NotFoundError when there is none."""

    def retrieve_document(self, document_id: str) -> JSONObject:
        """The parsed JSON object under `document_id`; NotFoundError when there is none."""

    def open_blob(self, key: str) -> IO[bytes]:
        """A seekable binary file of the object under `key`, for objects too large to hold whole."""

    def retrieve_document_attr(self, object_key: str, attr: str) -> object:
        """A raw GetObject response field of `object_key` (for example "LastModified", "ContentLength")."""

    def last_modified(self, key: str) -> datetime:
        """When `key` was last written (timezone-aware, UTC)."""

    def document_exists(self, document_id: str) -> bool:
        """Whether an object is stored under `document_id`."""

    def delete(self, object_key: str) -> None:
        """Delete `object_key`; deleting a missing object_key is not an error (as in S3)."""


class StorageBase(abc.ABC):
    """Abstract base of the store classes: each one can connect and tell whether it is connected."""

    @abc.abstractmethod
    def is_connected(self) -> bool:
        """Whether the underlying back end is connected."""

    @abc.abstractmethod
    def connect(self) -> None:
        """Connect the underlying back end."""
