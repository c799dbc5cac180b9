"""What a document id may be, checked before any store is asked for the document."""

from __future__ import annotations

import re
from typing import Final

from .exceptions import InvalidDocumentIdError
from .reasons import short_id

MAX_LENGTH: Final = 200
"""Characters of a document id: its file (or key segment) name stays under the 255 bytes file systems
allow, with room for the `.request` and `.json` suffixes."""

_DOCUMENT_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+=@,-]*")


def check_document_id(document_id: str) -> str:
    """`document_id` when it is a document id: 1 to MAX_LENGTH characters, letters, digits and
    `._+=@,-`, starting with a letter or digit; InvalidDocumentIdError naming it otherwise."""
    if not document_id:
        raise InvalidDocumentIdError("empty document id")
    if len(document_id) > MAX_LENGTH:
        raise InvalidDocumentIdError(
            f"document id {short_id(document_id)!r} is {len(document_id)} characters long "
            f"(at most {MAX_LENGTH})"
        )
    match = _DOCUMENT_ID.match(document_id)
    position = match.end() if match else 0
    if position < len(document_id):
        raise InvalidDocumentIdError(
            f"document id {short_id(document_id)!r} has {short_id(document_id[position])!r} at position "
            f"{position} (ids are letters, digits and ._+=@,- and start with a letter or digit)"
        )
    return document_id
