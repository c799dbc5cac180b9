"""Failure reasons fit for one log line: control characters escaped, length bounded, ids shortened.

Every reason the sync logs, reports in `SyncEvent.error` or prints goes through `one_line`; messages
that quote a document id quote it through `short_id`, so a 100 kB id cannot bury the JSON path after it.
"""

from __future__ import annotations

import re

from .exceptions import ThothStorageExceptionError

REASON_LIMIT = 500
"""Characters of a reason (after escaping) kept; the rest is replaced by an ellipsis."""

ID_LIMIT = 120
"""Characters of a document id quoted in a message."""

ELLIPSIS = "…"

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(character, f"\\u{ord(character):04x}")


def escape(text: str) -> str:
    """`text` with control characters, line and paragraph separators and lone surrogates escaped
    (`\\n`, `\\u2028`, ...), so that it is one printable line."""
    return _UNSAFE.sub(_escape, text)


def cut(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def short_id(document_id: str, limit: int = ID_LIMIT) -> str:
    """A document id (or key, or path) as a message quotes it: escaped and at most `limit` characters,
    its start and end kept around an ellipsis."""
    text = escape(document_id)
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + ELLIPSIS + text[len(text) - (limit - 1 - head) :]


def one_line(text: str, limit: int = REASON_LIMIT) -> str:
    """A message as one line of at most `limit` characters (escaped, then cut)."""
    return cut(escape(text), limit)


def reason(error: BaseException, limit: int = REASON_LIMIT) -> str:
    """The one-line reason of `error`: its message (the exception type's name is prefixed to
    errors from outside thoth-storages, whose messages often do not say what failed)."""
    message = str(error)
    if not isinstance(error, ThothStorageExceptionError) or not message:
        message = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return one_line(message, limit)
