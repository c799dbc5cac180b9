"""The bridge to the document validators (thoth_storages.documents)."""

from __future__ import annotations

from ..exceptions import SchemaError
from .jsontypes import Document


def validate(document: Document, document_type: str | None) -> None:
    """Validate `document` with `validate_document`; any failure is a SchemaError."""
    from ..documents import validate_document

    try:
        validate_document(document, document_type)
    except SchemaError:
        raise
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"document is not a valid {document_type or 'result'} document: {exc}") from exc
