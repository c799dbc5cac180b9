"""CephStore: a document store on any S3-compatible endpoint (Ceph RADOS Gateway, AWS S3, moto)."""

from __future__ import annotations

import io
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import IO, TYPE_CHECKING, TypeVar, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from ..exceptions import (
    ConfigurationError,
    NotConnectedError,
    NotFoundError,
    SchemaError,
    StorageConnectionError,
)
from .integrity import copy_checked
from .interface import blob2dict, dict2blob
from .jsontypes import Document, JSONObject
from .retry import DamagedBodyError, retried
from .settings import BUCKET, ENDPOINT_URL, KEY_ID, SECRET_KEY, S3Settings

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import ListObjectsV2OutputTypeDef, ListObjectsV2RequestTypeDef

T = TypeVar("T")

_LOGGER = logging.getLogger(__name__)

_MISSING_KEY_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_MISSING_BUCKET_CODES = frozenset({"NoSuchBucket"})
_CREDENTIAL_CODES = frozenset(
    {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "Forbidden"}
)


_STREAM_TRANSFER = TransferConfig(multipart_chunksize=8 << 20, max_concurrency=4)
"""Streamed uploads hold at most a few parts in memory, however long the stream."""

_SESSIONS: dict[tuple[str | None, str | None, str], boto3.session.Session] = {}
_SESSIONS_LOCK = threading.Lock()


def _new_client(settings: S3Settings, config: Config) -> S3Client:
    """A new client from a session shared per credentials (loading the service model once, not per store).

    Sessions are not thread-safe, so clients are created under a lock; the clients themselves are.
    """
    identity = (settings.key_id, settings.secret_key, settings.region or "us-east-1")
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(identity)
        if session is None:
            session = boto3.session.Session(
                aws_access_key_id=identity[0], aws_secret_access_key=identity[1], region_name=identity[2]
            )
            _SESSIONS[identity] = session
        return session.client("s3", endpoint_url=settings.endpoint_url, config=config)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class CephStore:
    """Documents and blobs under `prefix` in one bucket of an S3-compatible object store.

    Unset arguments come from THOTH_S3_ENDPOINT_URL, THOTH_CEPH_KEY_ID, THOTH_CEPH_SECRET_KEY,
    THOTH_CEPH_BUCKET (required) and THOTH_CEPH_REGION. A "/" is appended to `prefix`.
    """

    dict2blob = staticmethod(dict2blob)

    def __init__(
        self,
        prefix: str,
        *,
        host: str | None = None,
        key_id: str | None = None,
        secret_key: str | None = None,
        bucket: str | None = None,
        region: str | None = None,
    ) -> None:
        settings = S3Settings.resolve(
            host=host, key_id=key_id, secret_key=secret_key, bucket=bucket, region=region
        )
        self.settings = settings
        self.host = settings.endpoint_url
        self.key_id = settings.key_id
        self.secret_key = settings.secret_key
        self.bucket = settings.bucket
        self.region = settings.region
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self._client: S3Client | None = None

    def __repr__(self) -> str:
        return f"CephStore(endpoint={self._endpoint!r}, bucket={self.bucket!r}, prefix={self.prefix!r})"

    @property
    def _endpoint(self) -> str:
        return self.host or "the default AWS S3 endpoint"

    @property
    def client(self) -> S3Client:
        """The boto3 S3 client (register botocore event hooks on `client.meta.events`)."""
        if self._client is None:
            raise NotConnectedError(f"{self!r} is not connected: call connect() first")
        return self._client

    def _key(self, key: str) -> str:
        return self.prefix + key

    @property
    def _where(self) -> str:
        return f"bucket {self.bucket!r} at {self._endpoint}"

    def _attempts(self, what: str, operation: Callable[[], T]) -> T:
        """`operation` attempted while it fails transiently (retry.py); `what` names the request."""
        return retried(operation, f"S3 {what} in {self._where}", self.settings.limits)

    def _request(self, what: str, operation: Callable[[], T], key: str | None = None) -> T:
        """`_attempts`, botocore errors translated (NotFoundError names `key` when it is missing)."""
        with self._translate_errors(key):
            return self._attempts(what, operation)

    @contextmanager
    def _translate_errors(self, key: str | None = None) -> Iterator[None]:
        """Turn botocore failures into NotFoundError / StorageConnectionError / ConfigurationError."""
        where = self._where
        try:
            yield
        except ClientError as exc:
            code = _error_code(exc)
            if code in _MISSING_BUCKET_CODES:
                raise StorageConnectionError(
                    f"S3 bucket {self.bucket!r} does not exist at {self._endpoint} "
                    f"(create it, or point {BUCKET} at an existing bucket)"
                ) from None
            if code in _MISSING_KEY_CODES and key is not None:
                raise NotFoundError(f"no object {self._key(key)!r} in {where}") from None
            if code in _CREDENTIAL_CODES:
                raise ConfigurationError(
                    f"{where} refused the credentials ({code}): check {KEY_ID} and {SECRET_KEY}"
                ) from None
            message = exc.response.get("Error", {}).get("Message", "") or str(exc)
            raise StorageConnectionError(f"S3 request to {where} failed ({code}): {message}") from None
        except (NoCredentialsError, PartialCredentialsError):
            raise ConfigurationError(
                f"no S3 credentials for {where}: set {KEY_ID} and {SECRET_KEY}"
            ) from None
        except ConnectionError as exc:
            raise StorageConnectionError(
                f"cannot reach the S3 endpoint {self._endpoint} (check {ENDPOINT_URL}): {exc}"
            ) from None
        except BotoCoreError as exc:
            raise StorageConnectionError(f"S3 request to {where} failed: {exc}") from None

    def _make_client(self) -> S3Client:
        settings = self.settings
        config = Config(
            signature_version="s3v4",
            connect_timeout=settings.limits.connect_timeout,
            read_timeout=settings.limits.read_timeout,
            # one attempt each: _request retries, reading the body included
            retries={"mode": "standard", "total_max_attempts": 1},
            s3={"addressing_style": "path"},
        )
        try:
            return _new_client(settings, config)
        except ValueError as exc:
            raise ConfigurationError(
                f"{ENDPOINT_URL}={settings.endpoint_url!r} is not usable: {exc}"
            ) from None

    def connect(self) -> None:
        """Create the S3 client and check that the bucket exists and the credentials are accepted."""
        client = self._make_client()
        with self._translate_errors():
            try:
                self._attempts("HEAD of the bucket", partial(client.head_bucket, Bucket=self.bucket))
            except ClientError as exc:
                if _error_code(exc) in {"404", "NoSuchBucket", "NotFound"}:
                    raise StorageConnectionError(
                        f"S3 bucket {self.bucket!r} does not exist at {self._endpoint} "
                        f"(create it, or point {BUCKET} at an existing bucket)"
                    ) from None
                raise
        self._client = client
        _LOGGER.debug("connected to %r", self)

    def is_connected(self) -> bool:
        """Whether `connect()` succeeded."""
        return self._client is not None

    def check_connection(self) -> None:
        """HEAD a key ("foo") to prove the endpoint answers; a missing key is fine."""
        self.document_exists("foo")

    def _list_page(self, prefix: str, delimiter: str | None, token: str | None) -> ListObjectsV2OutputTypeDef:
        arguments: ListObjectsV2RequestTypeDef = {"Bucket": self.bucket, "Prefix": prefix}
        if delimiter is not None:
            arguments["Delimiter"] = delimiter
        if token is not None:
            arguments["ContinuationToken"] = token
        return self.client.list_objects_v2(**arguments)

    def _pages(self, prefix: str, delimiter: str | None = None) -> Iterator[ListObjectsV2OutputTypeDef]:
        """ListObjectsV2 pages under `prefix`, each page's request retried on its own."""
        token: str | None = None
        number = 1
        while True:
            page = self._request(
                f"listing of {prefix!r} (page {number})", partial(self._list_page, prefix, delimiter, token)
            )
            yield page
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or token is None:
                return
            number += 1

    def get_document_listing(self, prefix_addition: str = "") -> Iterator[str]:
        """Keys relative to the prefix that start with `prefix_addition`, in S3 (byte) order."""
        for page in self._pages(self._key(prefix_addition)):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]

    def get_folder_listing(self, prefix_addition: str = "") -> Iterator[str]:
        """Names of the folders right under `prefix + prefix_addition` (S3 common prefixes, no "/")."""
        full = self._key(prefix_addition)
        for page in self._pages(full, "/"):
            for item in page.get("CommonPrefixes", []):
                yield item["Prefix"][len(full) :].rstrip("/")

    def iterate_results(self, prefix_addition: str | None = None) -> Iterator[tuple[str, JSONObject]]:
        """(key, document) pairs for every key under `prefix_addition` (all keys by default)."""
        for key in self.get_document_listing(prefix_addition or ""):
            yield key, self.retrieve_document(key)

    def store_blob(self, blob: bytes, object_key: str) -> None:
        """Store raw bytes under `object_key`."""
        full = self._key(object_key)
        self._request(
            f"PUT of {full!r}", partial(self.client.put_object, Bucket=self.bucket, Key=full, Body=blob)
        )

    def store_document(self, document: Document, document_id: str) -> None:
        """Store `document` serialised by `dict2blob`."""
        self.store_blob(dict2blob(document), document_id)

    def store_file(self, document_path: str | os.PathLike[str], document_id: str) -> None:
        """Upload a local file (multipart for large files)."""
        if not os.path.isfile(document_path):
            raise NotFoundError(f"no file {os.fspath(document_path)!r} to upload")
        full = self._key(document_id)
        self._request(
            f"upload of {os.fspath(document_path)!r} to {full!r}",
            partial(self.client.upload_file, os.fspath(document_path), self.bucket, full),
        )

    def store_stream(self, stream: IO[bytes], object_key: str) -> None:
        """Upload what `stream` yields (multipart, a few 8 MB parts in memory at a time). One attempt:
        a stream cannot be read again; a failure, or an error raised by the stream, aborts the upload."""
        with self._translate_errors():
            self.client.upload_fileobj(stream, self.bucket, self._key(object_key), Config=_STREAM_TRANSFER)

    def _read(self, full_key: str, into: IO[bytes], seen: set[str]) -> bool:
        """GET `full_key` into `into` (from its start), checked (integrity.py); True when a checksum or
        the ETag vouched for the bytes. `seen` keeps the digests of earlier attempts of one request."""
        into.seek(0)
        into.truncate()
        response = self.client.get_object(Bucket=self.bucket, Key=full_key)
        return copy_checked(cast(Mapping[str, object], response), into, seen)

    def retrieve_blob(self, object_key: str) -> bytes:
        """The bytes under `object_key` (NotFoundError when missing)."""
        full = self._key(object_key)
        buffer = io.BytesIO()
        self._request(f"GET of {full!r}", partial(self._read, full, buffer, set()), object_key)
        return buffer.getvalue()

    def retrieve_document(self, document_id: str) -> JSONObject:
        """The JSON object under `document_id` (NotFoundError when missing, SchemaError when not JSON).

        A body no checksum vouches for that does not parse is read again, as a short read may have
        broken it; one that passed its checksum is refused at once.
        """
        full = self._key(document_id)

        seen: set[str] = set()

        def read() -> JSONObject:
            buffer = io.BytesIO()
            checked = self._read(full, buffer, seen)
            try:
                return blob2dict(buffer.getvalue(), full)
            except SchemaError as exc:
                if checked:
                    raise
                raise DamagedBodyError(str(exc)) from None

        return self._request(f"GET of {full!r}", read, document_id)

    def open_blob(self, key: str) -> IO[bytes]:
        """The object under `key` copied chunk by chunk into a temporary file (in memory up to 8 MB)."""
        full = self._key(key)
        spool = tempfile.SpooledTemporaryFile(max_size=8_000_000)  # noqa: SIM115 (the caller closes it)
        try:
            self._request(f"GET of {full!r}", partial(self._read, full, cast(IO[bytes], spool), set()), key)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return cast(IO[bytes], spool)

    def _head(self, key: str) -> Mapping[str, object]:
        full = self._key(key)
        return cast(
            Mapping[str, object],
            self._request(
                f"HEAD of {full!r}", partial(self.client.head_object, Bucket=self.bucket, Key=full), key
            ),
        )

    def retrieve_document_attr(self, object_key: str, attr: str) -> object:
        """A raw response field of GetObject for `object_key`; metadata fields are read with a HEAD request.

        The "Body" stream is the caller's to read: a failure while reading it is not retried.
        """
        full = self._key(object_key)
        if attr == "Body":
            return self._request(
                f"GET of {full!r}", partial(self.client.get_object, Bucket=self.bucket, Key=full), object_key
            )["Body"]
        fields = self._head(object_key)
        if attr not in fields:
            raise KeyError(f"S3 object {full!r} has no attribute {attr!r}")
        return fields[attr]

    def last_modified(self, key: str) -> datetime:
        """LastModified of `key` as an aware UTC datetime."""
        stamp = cast(datetime, self._head(key)["LastModified"])
        return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    def document_exists(self, document_id: str) -> bool:
        """HEAD `document_id`: True when it exists, False on 404."""
        try:
            self._head(document_id)
        except NotFoundError:
            return False
        return True

    def delete(self, object_key: str) -> None:
        """Delete `object_key` (no error when it does not exist)."""
        full = self._key(object_key)
        self._request(f"DELETE of {full!r}", partial(self.client.delete_object, Bucket=self.bucket, Key=full))

    def _create_bucket_if_needed(self) -> None:
        """Create the bucket when HEAD says it is missing (for tests and fresh deployments)."""
        client = self._client or self._make_client()
        with self._translate_errors():
            try:
                self._attempts("HEAD of the bucket", partial(client.head_bucket, Bucket=self.bucket))
            except ClientError as exc:
                if _error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                    raise
                self._attempts("creation of the bucket", partial(self._create_bucket, client))

    def _create_bucket(self, client: S3Client) -> None:
        if self.region in (None, "us-east-1"):
            # us-east-1 is the default location and must not be named as a constraint.
            client.create_bucket(Bucket=self.bucket)
        else:
            client.create_bucket(
                Bucket=self.bucket,
                CreateBucketConfiguration={"LocationConstraint": self.region},  # type: ignore[typeddict-item]
            )
