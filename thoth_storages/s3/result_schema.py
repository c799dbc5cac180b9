"""RESULT_SCHEMA: the original's callable check of a result document, on the generated validators."""

from __future__ import annotations

from .jsontypes import Document
from .validation import validate


class ResultSchema:
    """Validates a result document (its type taken from its document id): returns it, or SchemaError."""

    def __call__(self, document: Document) -> Document:
        validate(document, None)
        return document


RESULT_SCHEMA = ResultSchema()

__all__ = ["RESULT_SCHEMA", "ResultSchema"]
