"""Bounded retries of S3 requests, the reading of their bodies included.

botocore retries a request only until the headers of its answer arrive: a body cut short, a connection
reset while the body is read or a body failing its checksum come out of a GET as errors. So the client's own
retries are off and every CephStore request runs through `retried`: sending the request and reading its
body are one attempt, and the attempts share one budget (THOTH_S3_MAX_ATTEMPTS).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from typing import TypeVar

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    ConnectTimeoutError,
    EndpointConnectionError,
    FlexibleChecksumError,
    HTTPClientError,
    IncompleteReadError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from ..config import S3_CONNECT_TIMEOUT, S3_READ_TIMEOUT, S3RequestLimits
from ..exceptions import SchemaError, StorageConnectionError
from .settings import ENDPOINT_URL

_LOGGER = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF_FIRST = 0.25
"""Seconds: the pause before the second attempt is drawn from [0, 0.25], doubling up to BACKOFF_CAP."""
BACKOFF_CAP = 2.0

_TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "TooManyRequestsException",
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    }
)
_INCOMPLETE_READ = re.compile(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)")


class BodyMismatchError(Exception):
    """A body that is not what its ETag says was stored."""


class DamagedBodyError(SchemaError):
    """A body no checksum vouches for that does not parse: it may have been damaged on the way, so the
    object is read again; after the last attempt it is a SchemaError."""


def _one_line(text: object, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _streaming_failure(exc: ResponseStreamingError | IncompleteReadError) -> str:
    text = _one_line(exc)
    short = _INCOMPLETE_READ.search(text)
    if isinstance(exc, IncompleteReadError):
        got, expected = exc.kwargs.get("actual_bytes"), exc.kwargs.get("expected_bytes")
        return f"the body was cut short ({got} of {expected} bytes)"
    if short:
        got, missing = int(short.group(1)), int(short.group(2))
        return f"the body was cut short ({got} of {got + missing} bytes)"
    return f"the connection broke while the body was read ({text})"


def transient_failure(exc: BaseException, limits: S3RequestLimits) -> str | None:
    """What went wrong, in a few words, when `exc` is worth another attempt; None when it is not."""
    if isinstance(exc, S3UploadFailedError) and isinstance(exc.__context__, ClientError):
        exc = exc.__context__
    if isinstance(exc, ClientError):
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if not (status >= 500 or status == 429 or code in _TRANSIENT_CODES):
            return None
        if not code or code == str(status):
            # botocore names no code when the body held no S3 error, as when it turns a 200 whose body
            # was cut short into a 500
            return f"HTTP {status} with no S3 error in the body (a server error, or an answer cut short)"
        message = _one_line(exc.response.get("Error", {}).get("Message", ""), 200)
        return f"HTTP {status} {code}: {message}" if message else f"HTTP {status} {code}"
    if isinstance(exc, ReadTimeoutError):
        return f"no answer within {S3_READ_TIMEOUT}={limits.read_timeout:g} s"
    if isinstance(exc, ConnectTimeoutError):
        return (
            f"no connection within {S3_CONNECT_TIMEOUT}={limits.connect_timeout:g} s (check {ENDPOINT_URL})"
        )
    if isinstance(exc, EndpointConnectionError):
        return f"cannot connect (check {ENDPOINT_URL})"
    if isinstance(exc, ConnectionClosedError):
        return "the connection was closed before an answer"
    if isinstance(exc, ResponseStreamingError | IncompleteReadError):
        return _streaming_failure(exc)
    if isinstance(exc, FlexibleChecksumError):
        return f"the body does not match its checksum ({_one_line(exc)})"
    if isinstance(exc, DamagedBodyError | BodyMismatchError):
        return _one_line(exc)
    if isinstance(exc, ConnectionError | HTTPClientError):
        return f"connection error ({_one_line(exc)})"
    return None


def retried(operation: Callable[[], T], what: str, limits: S3RequestLimits) -> T:
    """`operation()`, attempted up to `limits.max_attempts` times while it fails transiently, with a
    random exponential back-off between attempts. After the last attempt a one-line
    StorageConnectionError (SchemaError for a body that never parsed) says `what` failed and why;
    errors that are not transient are raised at once, as they are.
    """
    number = 1
    while True:
        try:
            return operation()
        except Exception as exc:
            reason = transient_failure(exc, limits)
            if reason is None:
                raise
            if number >= limits.max_attempts:
                attempts = f"{number} attempt" + ("s" if number > 1 else "")
                message = f"{what} failed after {attempts}: {reason}"
                if isinstance(exc, DamagedBodyError):
                    raise SchemaError(message) from None
                raise StorageConnectionError(message) from None
            pause = random.uniform(0, min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (number - 1)))
            _LOGGER.warning(
                "%s: attempt %d of %d failed (%s), retrying in %.2f s",
                what,
                number,
                limits.max_attempts,
                reason,
                pause,
            )
            time.sleep(pause)
            number += 1
