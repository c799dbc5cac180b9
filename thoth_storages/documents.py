"""Validation of Thoth workflow documents with the generated pydantic models (generated/documents/).

`validate_document` picks the document type from the prefix of `metadata.document_id` (or from an
explicit `document_type`), refuses the legacy formats that cannot be synced with an explanation, and
otherwise returns the validated model or raises a `DocumentValidationError` naming the document id and
the JSON path at fault. The schemas are in schema/documents/; see docs/documents.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

import pydantic

from generated.documents import DOCUMENT_MODELS
from generated.kinds import KINDS, typed_validator

from .exceptions import SchemaError
from .reasons import short_id

__all__ = [
    "DOCUMENT_MODELS",
    "DOCUMENT_TYPES",
    "PREFIXES",
    "DocumentValidationError",
    "LegacyDocumentError",
    "UnknownDocumentTypeError",
    "check_values",
    "document_type_of",
    "parse_datetime",
    "resolve_document_type",
    "same_document_id",
    "validate_document",
    "validate_part",
]

DOCUMENT_TYPES: Final[tuple[str, ...]] = tuple(sorted(DOCUMENT_MODELS))
"""Full document type names: the file names of schema/documents/*.json (without metadata)."""

PREFIXES: Final[Mapping[str, str]] = {
    kind.prefix: kind.types[0] for kind in sorted(KINDS, key=lambda k: k.prefix)
}
"""Document id prefix (the sync's handler key) -> default document type (schema/documents/kinds.yaml).

Two prefixes cover more than one schema, told apart by the document itself: `inspection` is a build
specification when it has `build` and `run` and no `stdout`, else a result; `security` is the raw
bandit or cloc report when `metadata.analyzer` names si-bandit or si-cloc, else the aggregated document.
"""

_NO_ID = "<no document id>"
_MEMBER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class DocumentValidationError(SchemaError):
    """A document does not match its schema.

    `document_id` is the document's id (None if it has none), `path` the JSON path of the first error
    (e.g. `$.result.tree[3].package_name`), `errors` every (path, message) pair found.
    """

    def __init__(
        self,
        document_id: str | None,
        path: str,
        message: str,
        errors: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.document_id = document_id
        self.path = path
        self.reason = message
        self.errors: tuple[tuple[str, str], ...] = tuple(errors) or ((path, message),)
        text = f"{short_id(document_id) if document_id else _NO_ID}: {path}: {message}"
        if len(self.errors) > 1:
            others = ", ".join(other for other, _ in self.errors[1:4])
            more = "" if len(self.errors) <= 4 else ", ..."
            text += f" (and {len(self.errors) - 1} more: {others}{more})"
        super().__init__(text)


class LegacyDocumentError(DocumentValidationError):
    """A document in a legacy format that is refused on purpose; `legacy_format` names the format."""

    def __init__(self, document_id: str | None, legacy_format: str, why: str) -> None:
        self.legacy_format = legacy_format
        super().__init__(document_id, "$", f"legacy {legacy_format} format is not supported: {why}")


class UnknownDocumentTypeError(DocumentValidationError, ValueError):
    """The document type cannot be told (unknown id prefix or type name, or no id at all)."""


# ------------------------------------------------------------------------------------------ type names


def document_type_of(document_id: str) -> str:
    """The prefix of a document id (one of PREFIXES), e.g. `solver` for `solver-fedora-31-py37-012b745d`.

    The prefix is the text before the first "-" of the id's last path segment, so ids given as file paths
    (`/data/solver/solver-....json`) route correctly even when a directory name contains a "-".
    """
    segment = re.split(r"[/\\]", document_id)[-1]
    prefix = segment.split("-", 1)[0]
    if prefix not in PREFIXES:
        raise UnknownDocumentTypeError(
            document_id,
            "$.metadata.document_id",
            f"unknown document id prefix {prefix!r}; known prefixes: {', '.join(sorted(PREFIXES))}",
        )
    return prefix


def _metadata(document: Mapping[str, object]) -> Mapping[str, object]:
    metadata = document.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _document_id(document: Mapping[str, object]) -> str | None:
    document_id = _metadata(document).get("document_id")
    return document_id if isinstance(document_id, str) and document_id else None


def _refine(document_type: str, document: Mapping[str, object]) -> str:
    """Tell apart the schemas that share a prefix, from the document's content."""
    if document_type == "inspection-result":
        if "build" in document and "run" in document and "stdout" not in document:
            return "inspection-specification"
    elif document_type == "security-indicator-aggregated":
        analyzer = _metadata(document).get("analyzer")
        if isinstance(analyzer, str) and analyzer.endswith("si-bandit"):
            return "security-indicator-bandit"
        if isinstance(analyzer, str) and analyzer.endswith("si-cloc"):
            return "security-indicator-cloc"
    return document_type


def resolve_document_type(document: Mapping[str, object], document_type: str | None = None) -> str:
    """The full document type (a key of DOCUMENT_MODELS) of `document`.

    `document_type` may be a full type name (`inspection-result`), which is taken as is, or an id prefix
    (`inspection`), which is refined from the document's content; without it the prefix of
    `metadata.document_id` is used.
    """
    document_id = _document_id(document)
    if document_type is not None:
        if document_type in DOCUMENT_MODELS:
            return document_type
        if document_type in PREFIXES:
            return _refine(PREFIXES[document_type], document)
        known = ", ".join([*DOCUMENT_TYPES, *sorted(set(PREFIXES) - set(DOCUMENT_MODELS))])
        raise UnknownDocumentTypeError(
            document_id, "$", f"unknown document type {document_type!r}; known: {known}"
        )
    if document_id is None:
        raise UnknownDocumentTypeError(
            None,
            "$.metadata.document_id",
            "the document has no id, so its type cannot be told from the id prefix; pass document_type"
            " (a document needs an id before it can be stored or synced)",
        )
    return _refine(PREFIXES[document_type_of(document_id)], document)


# --------------------------------------------------------------------------------------- legacy formats


def _legacy_format(document: Mapping[str, object]) -> tuple[str, str] | None:
    """(format, why) when `document` is in a legacy format refused on purpose, else None.

    Told by producer and version (`metadata.analyzer`, `metadata.analyzer_version` 1.0.x), never by
    shape, so a current document with a missing field gets the ordinary error naming that field.
    """
    metadata = _metadata(document)
    analyzer = metadata.get("analyzer")
    version = metadata.get("analyzer_version")
    if not isinstance(version, str) or not version.startswith("1.0."):
        return None
    if analyzer == "thoth-package-extract":
        return (
            f"2018 thoth-package-extract {version}",
            "the result has no operating-system, python-files, system-symbols or python-interpreters and the"
            " run has no metadata (environment_type), so no software environment can be derived from it",
        )
    if analyzer == "thoth-solver":
        return (
            f"2018 thoth-solver {version}",
            "tree entries have no package_version_requested, index_url, sha256 or importlib_metadata and"
            " resolved_versions is a flat list, so packages, indexes and artifacts cannot be synced from it",
        )
    return None


# ---------------------------------------------------------------------------------------- plain values

MAX_DEPTH: Final = 100
"""Nesting of objects and arrays a document may have (real documents nest about 11 deep)."""


def _bad_text(text: str) -> str | None:
    """What is wrong with a string no column can hold: a NUL, or a lone surrogate (not Unicode)."""
    if "\x00" in text:
        return "contains a NUL character (U+0000), which no text column can hold"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"contains a lone surrogate (U+{ord(text[error.start]):04X} at {error.start}), not Unicode"
    return None


_WALKED = frozenset({dict, list, str, float})
_PLAIN = frozenset({int, bool, type(None)})


def _plain_values(document: object) -> bool:
    """Whether `document` surely passes `check_values`, found without building paths (the common case).
    Values of other types, subclasses and non-ASCII keys are left to the walk that names the path."""
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is str:
            assert isinstance(value, str)
            if "\x00" in value or (not value.isascii() and _bad_text(value)):
                return False
        elif kind is float:
            assert isinstance(value, float)
            if value - value != 0:  # NaN and the infinities
                return False
        elif kind is dict or kind is list:
            assert isinstance(value, dict | list)
            if depth >= MAX_DEPTH:
                return False
            for key, item in value.items() if isinstance(value, dict) else enumerate(value):
                if isinstance(key, str) and ("\x00" in key or not key.isascii()):
                    return False
                if type(item) in _WALKED:
                    stack.append((item, depth + 1))
                elif type(item) not in _PLAIN:
                    return False
        elif kind not in _PLAIN:
            return False
    return True


def check_values(document: object, document_id: str | None, path: str = "$") -> None:
    """Refuse what JSON Schema does not: nesting deeper than MAX_DEPTH, NaN and Infinity (the
    policy for documents read whole and streamed alike), strings and keys holding a NUL or a lone
    surrogate. Raises DocumentValidationError naming the JSON path (`path` is the value's own)."""
    if _plain_values(document):
        return
    stack: list[tuple[object, str, int]] = [(document, path, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            problem = _bad_text(value)
            if problem:
                raise DocumentValidationError(document_id, where, problem)
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise DocumentValidationError(
                    document_id, where, f"{value} is not a JSON number (NaN and Infinity are refused)"
                )
        elif isinstance(value, Mapping | list):
            if depth >= MAX_DEPTH:
                raise DocumentValidationError(document_id, where, f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(value, list):
                stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value))
                continue
            for key, item in value.items():
                member = where + json_member(str(key))
                problem = _bad_text(key) if isinstance(key, str) else None
                if problem:
                    raise DocumentValidationError(document_id, member, f"the key {problem}")
                stack.append((item, member, depth + 1))


def parse_datetime(value: str, document_id: str | None, path: str) -> datetime.datetime:
    """An ISO 8601 date and time from a document; DocumentValidationError naming `path` otherwise."""
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise DocumentValidationError(
            document_id, path, f"{short_id(str(value))!r} is not an ISO 8601 date and time ({error})"
        ) from None


def same_document_id(document: Mapping[str, object], read_as: str) -> None:
    """Refuse a document whose `metadata.document_id` is not the id it was read under (its file name
    or store key): it would be merged into another document's rows."""
    claimed = _metadata(document).get("document_id")
    if isinstance(claimed, str) and claimed != read_as:
        raise DocumentValidationError(
            read_as,
            "$.metadata.document_id",
            f"is {short_id(claimed)!r} but the document was read as {short_id(read_as)!r} "
            "(its file name or store key)",
        )


# ------------------------------------------------------------------------------------------ validation


def json_member(key: str) -> str:
    """The JSON path step to member `key` (`.name`, or `['odd-name']`)."""
    if _MEMBER_NAME.fullmatch(key):
        return f".{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def json_path(document: object, loc: Sequence[int | str], *, missing: bool = False) -> str:
    """The JSON path (`$.a.b[3]['c-d']`) of a pydantic error location within `document`.

    The location is walked through the document itself, so the names pydantic adds for union members
    (`str`, `list[str]`, ...) are left out; `missing` keeps a last key that is absent (a missing field).
    """
    path = "$"
    node = document
    for index, item in enumerate(loc):
        if isinstance(node, Mapping) and isinstance(item, str) and item in node:
            path += json_member(item)
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            path += f"[{item}]"
            node = node[item]
        elif missing and index == len(loc) - 1 and isinstance(node, Mapping) and isinstance(item, str):
            path += json_member(item)
    return path


def _errors(document: object, error: pydantic.ValidationError) -> list[tuple[str, str]]:
    """(path, message) per faulty path, in pydantic's order; a union's failed members are joined with 'or'."""
    found: dict[str, list[str]] = {}
    for detail in error.errors(include_url=False, include_input=False):
        path = json_path(document, detail["loc"], missing=detail["type"] == "missing")
        messages = found.setdefault(path, [])
        if detail["msg"] not in messages:
            messages.append(detail["msg"])
    return [(path, " or ".join(messages)) for path, messages in found.items()]


@typed_validator  # the overloads generated from schema/documents/kinds.yaml
def validate_document(
    document: Mapping[str, object], document_type: str | None = None, *, document_id: str | None = None
) -> pydantic.BaseModel:
    """Validate `document` against the schema of its type and return the generated model instance.

    The type comes from `document_type` (a full type name or an id prefix, see PREFIXES) or else from
    the prefix of `metadata.document_id`. `document_id` names documents that carry no metadata envelope
    (Amun inspection specifications and results) in error messages.

    Raises DocumentValidationError (a SchemaError) naming the document id and the JSON path at fault;
    LegacyDocumentError for the legacy formats refused on purpose; UnknownDocumentTypeError (also a
    ValueError) when the type cannot be told.
    """
    if not isinstance(document, Mapping):
        raise DocumentValidationError(
            document_id, "$", f"a document is a JSON object, not {type(document).__name__}"
        )
    document_id = document_id or _document_id(document)
    check_values(document, document_id)
    legacy = _legacy_format(document)
    if legacy is not None:
        raise LegacyDocumentError(document_id, *legacy)
    model = DOCUMENT_MODELS[resolve_document_type(document, document_type)]
    try:
        return model.model_validate(document if isinstance(document, dict) else dict(document))
    except pydantic.ValidationError as exc:
        errors = _errors(document, exc)
        raise DocumentValidationError(document_id, errors[0][0], errors[0][1], errors) from None


Part = TypeVar("Part", bound=pydantic.BaseModel)


def validate_part(model: type[Part], value: object, document_id: str | None, path: str) -> Part:
    """Validate one part of a document read on its own (a solver tree entry, say); errors name the
    JSON path within the whole document (`path` is the part's own, such as `$.result.tree[7]`)."""
    check_values(value, document_id, path)
    try:
        return model.model_validate(value)
    except pydantic.ValidationError as exc:
        errors = [(path + inner[1:], message) for inner, message in _errors(value, exc)]
        raise DocumentValidationError(document_id, errors[0][0], errors[0][1], errors) from None
