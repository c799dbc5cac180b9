"""LocalStore: the embedded document store, one file per key under a root directory."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import quote, unquote

from ..exceptions import (
    ConfigurationError,
    InvalidDocumentIdError,
    ListingError,
    NotConnectedError,
    NotFoundError,
    StorageConnectionError,
)
from ..reasons import short_id
from .interface import blob2dict, dict2blob
from .jsontypes import Document, JSONObject
from .settings import LOCAL_ROOT, local_root

_TMP_MARK = ".thoth-tmp-"
_NAME_MAX = 255
"""Bytes of a file name on common file systems."""
_SPECIAL_SEGMENTS = {"": "%", ".": "%2E", "..": "%2E%2E"}
_DECODE_SPECIAL = {value: key for key, value in _SPECIAL_SEGMENTS.items()}


def encode_segment(segment: str) -> str:
    """File name of one key segment: percent-encoding keeps "", "." and ".." and "/"-free names safe."""
    special = _SPECIAL_SEGMENTS.get(segment)
    if special is not None:
        return special
    return quote(segment, safe="-_.~+=,@:;!'()$&")


def decode_segment(name: str) -> str:
    """Inverse of `encode_segment`."""
    special = _DECODE_SPECIAL.get(name)
    return special if special is not None else unquote(name)


class LocalStore:
    """Documents and blobs under `prefix` in a directory tree: the key `a/b/c` is the file `a/b/c`.

    The root is `root`, else THOTH_STORAGES_LOCAL_ROOT, else `.thoth-storages/documents` under the current
    directory. Key segments are percent-encoded where needed, so every S3 key has one file. Writes are
    atomic (temporary file + rename). As on a file system, a key cannot also be a "folder" of other keys
    (`a` and `a/b` cannot both exist).
    """

    dict2blob = staticmethod(dict2blob)

    def __init__(self, prefix: str, *, root: str | os.PathLike[str] | None = None) -> None:
        self.root = local_root(root)
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self._connected = False

    def __repr__(self) -> str:
        return f"LocalStore(root={str(self.root)!r}, prefix={self.prefix!r})"

    def _path(self, key: str) -> Path:
        """The file of `key`; InvalidDocumentIdError when a segment makes a file name longer than
        file systems allow (checked here, so no store call meets a raw OSError for it)."""
        names = [encode_segment(part) for part in (self.prefix + key).split("/")]
        for name in names:
            if len(name.encode("utf-8")) > _NAME_MAX:
                raise InvalidDocumentIdError(
                    f"key {short_id(self.prefix + key)!r} in {self!r}: a segment is {len(name.encode())} bytes "
                    f"as a file name (at most {_NAME_MAX})"
                )
        return self.root.joinpath(*names)

    def _require_connection(self) -> None:
        if not self._connected:
            raise NotConnectedError(f"{self!r} is not connected: call connect() first")

    def connect(self) -> None:
        """Create the root directory if needed and check that it is a writable directory."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the local document store root {str(self.root)!r} "
                f"(set {LOCAL_ROOT} to a writable directory): {exc.strerror or exc}"
            ) from None
        self._connected = True
        self.check_connection()

    def is_connected(self) -> bool:
        """Whether `connect()` succeeded."""
        return self._connected

    def check_connection(self) -> None:
        """The root must be a writable directory."""
        self._require_connection()
        if not self.root.is_dir() or not os.access(self.root, os.W_OK | os.X_OK):
            raise ConfigurationError(
                f"the local document store root {str(self.root)!r} is not a writable directory "
                f"(set {LOCAL_ROOT})"
            )

    def _walk(self, directory: Path, key_prefix: str) -> Iterator[str]:
        """Every stored key (full, from the root) below `directory`, whose own key prefix is given."""
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            raise ListingError(short_id(str(directory)), exc.strerror or str(exc)) from None
        for entry in entries:
            if entry.name.startswith(_TMP_MARK):
                continue
            key = key_prefix + decode_segment(entry.name)
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(Path(entry.path), key + "/")
            else:
                yield key

    def get_document_listing(self, prefix_addition: str = "") -> Iterator[str]:
        """Keys relative to the prefix starting with `prefix_addition`, sorted like S3 lists them."""
        self._require_connection()
        full = self.prefix + prefix_addition
        folder, _, _ = full.rpartition("/")
        start = (
            self.root.joinpath(*(encode_segment(part) for part in folder.split("/"))) if folder else self.root
        )
        keys = [key for key in self._walk(start, folder + "/" if folder else "") if key.startswith(full)]
        for key in sorted(keys, key=lambda item: item.encode("utf-8")):
            yield key[len(self.prefix) :]

    def get_folder_listing(self, prefix_addition: str = "") -> Iterator[str]:
        """Names of the folders right under `prefix + prefix_addition` that hold at least one key."""
        self._require_connection()
        full = self.prefix + prefix_addition
        folder, _, partial = full.rpartition("/")
        start = (
            self.root.joinpath(*(encode_segment(part) for part in folder.split("/"))) if folder else self.root
        )
        names: list[str] = []
        try:
            entries = list(os.scandir(start))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            name = decode_segment(entry.name)
            if (
                entry.is_dir(follow_symlinks=False)
                and name.startswith(partial)
                and next(self._walk(Path(entry.path), ""), None) is not None
            ):
                names.append(name[len(partial) :])
        yield from sorted(names, key=lambda item: item.encode("utf-8"))

    def iterate_results(self, prefix_addition: str | None = None) -> Iterator[tuple[str, JSONObject]]:
        """(key, document) pairs for every key under `prefix_addition` (all keys by default)."""
        for key in self.get_document_listing(prefix_addition or ""):
            yield key, self.retrieve_document(key)

    def _write(self, key: str, write: str, source: bytes | Path | IO[bytes]) -> None:
        self._require_connection()
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_TMP_MARK, dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as stream:
                    if isinstance(source, bytes):
                        stream.write(source)
                    elif isinstance(source, Path):
                        with source.open("rb") as origin:
                            shutil.copyfileobj(origin, stream, 1 << 20)
                    else:
                        shutil.copyfileobj(source, stream, 1 << 20)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST):
                raise StorageConnectionError(
                    f"cannot {write} key {self.prefix + key!r} in {self!r}: a key and a folder of keys "
                    "cannot share a name in the local store"
                ) from None
            raise StorageConnectionError(
                f"cannot {write} key {self.prefix + key!r} in {self!r}: {exc}"
            ) from None

    def store_blob(self, blob: bytes, object_key: str) -> None:
        """Store raw bytes under `object_key` (atomically)."""
        self._write(object_key, "store", bytes(blob))

    def store_document(self, document: Document, document_id: str) -> None:
        """Store `document` serialised by `dict2blob`."""
        self.store_blob(dict2blob(document), document_id)

    def store_file(self, document_path: str | os.PathLike[str], document_id: str) -> None:
        """Copy a local file under `document_id`."""
        source = Path(document_path)
        if not source.is_file():
            raise NotFoundError(f"no file {str(source)!r} to upload")
        self._write(document_id, "copy a file to", source)

    def store_stream(self, stream: IO[bytes], object_key: str) -> None:
        """Copy what `stream` yields under `object_key` (atomically: nothing is stored when it raises)."""
        self._write(object_key, "store a stream to", stream)

    def _existing(self, key: str) -> Path:
        self._require_connection()
        path = self._path(key)
        if not path.is_file():
            raise NotFoundError(f"no object {self.prefix + key!r} in {self!r}")
        return path

    def retrieve_blob(self, object_key: str) -> bytes:
        """The bytes under `object_key` (NotFoundError when missing)."""
        path = self._existing(object_key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"no object {self.prefix + object_key!r} in {self!r}") from None

    def open_blob(self, key: str) -> IO[bytes]:
        """The file under `key`, opened for binary reading (NotFoundError when missing)."""
        path = self._existing(key)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise NotFoundError(f"no object {self.prefix + key!r} in {self!r}") from None

    def retrieve_document(self, document_id: str) -> JSONObject:
        """The JSON object under `document_id` (NotFoundError when missing, SchemaError when not JSON)."""
        return blob2dict(self.retrieve_blob(document_id), self.prefix + document_id)

    def retrieve_document_attr(self, object_key: str, attr: str) -> object:
        """The S3-style field `attr` of `object_key`: LastModified, ContentLength, ETag, ContentType or Body."""
        path = self._existing(object_key)
        if attr == "LastModified":
            return self.last_modified(object_key)
        if attr == "ContentLength":
            return path.stat().st_size
        if attr == "ETag":
            return '"' + hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest() + '"'
        if attr == "ContentType":
            return "binary/octet-stream"
        if attr == "Body":
            return path.read_bytes()
        raise KeyError(f"local object {self.prefix + object_key!r} has no attribute {attr!r}")

    def last_modified(self, key: str) -> datetime:
        """Modification time of the file behind `key`, as an aware UTC datetime."""
        return datetime.fromtimestamp(self._existing(key).stat().st_mtime, tz=UTC)

    def document_exists(self, document_id: str) -> bool:
        """Whether a file is stored under `document_id`."""
        self._require_connection()
        return self._path(document_id).is_file()

    def delete(self, object_key: str) -> None:
        """Delete `object_key` and prune folders left empty (no error when it does not exist)."""
        self._require_connection()
        path = self._path(object_key)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
