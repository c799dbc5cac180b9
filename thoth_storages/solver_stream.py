"""Solver documents too large to hold whole: the envelope first, then the tree a slice at a time.

Parsed whole, a 10 MB solver document takes about 140 MB more memory as Python objects and models. Here
`solver_envelope` reads everything but `result.tree` and validates it as a SolverDocument whose tree is
empty; `solver_tree` then yields the tree's entries, each validated, in slices. Both read a seekable
binary file with ijson's C parser, so memory follows the slice size, not the document size.

One reader, one set of rules whatever the size: broken JSON (NaN and Infinity included) and nesting
deeper than `documents.MAX_DEPTH` are refused by the readers themselves, told by `_refusal`, which reads
the file as a stream and names the exact JSON path and the parser's reason, for documents read whole
and streamed alike; strings holding a NUL or a lone surrogate are refused by the validation both ways
share (`documents.check_values`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

import ijson  # type: ignore[import-untyped]

from generated.documents.solver import SolverDocument, SolverTreeEntry

from .documents import MAX_DEPTH, DocumentValidationError, json_member, validate_document, validate_part

if TYPE_CHECKING:  # s3 imports read_whole from here: importing s3 at run time would be circular
    from .s3.jsontypes import JSONObject

_TREE_ITEM = "result.tree.item"


def is_large(file: IO[bytes], threshold: int) -> bool:
    """Whether the document in `file` is above `threshold` bytes; leaves the file at its start."""
    size = file.seek(0, os.SEEK_END)
    file.seek(0)
    return size > threshold


class _NotJSON(ValueError):
    """NaN, Infinity or -Infinity met by the whole-document parser (which would accept them)."""


def _refuse_constant(name: str) -> object:
    raise _NotJSON(name)


def read_whole(file: IO[bytes], label: str) -> JSONObject:
    """The JSON object in `file`, parsed whole (documents below the threshold, and local files of
    every type); errors name `label`."""
    try:
        document = json.load(file, parse_constant=_refuse_constant)
        refused = _too_deep_parsed(document)
    except (UnicodeDecodeError, json.JSONDecodeError, _NotJSON) as error:  # told as when streamed
        file.seek(0)
        raise _refusal(file, label, f"not valid JSON: {error}") from None
    except RecursionError:  # deeper than the interpreter's recursion limit: surely too deep
        refused = True
    if refused:
        file.seek(0)
        raise _refusal(file, label, f"nested deeper than {MAX_DEPTH} levels")
    if not isinstance(document, dict):
        raise DocumentValidationError(label, "$", "a document is a JSON object")
    return document


def _too_deep_parsed(document: object) -> bool:
    """Whether containers in `document` nest deeper than MAX_DEPTH. Checked after parsing: json's own
    RecursionError comes only past the interpreter's recursion limit, which other code may raise."""
    stack: list[tuple[dict[str, object] | list[object], int]] = (
        [(document, 0)] if isinstance(document, dict | list) else []
    )
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return True
        items: Iterable[object] = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return False


def _refusal(file: IO[bytes], label: str, otherwise: str) -> DocumentValidationError:
    """Why the document in `file` is refused, at the JSON path of the first value at fault: not JSON
    (NaN and Infinity included) or nested deeper than MAX_DEPTH. Read as a stream, so that documents
    read whole and streamed are refused alike; `otherwise` (at `$`) when the stream finds no fault."""
    path: list[str | int] = []
    try:
        for _prefix, event, value in ijson.parse(file, use_float=True):
            if path and isinstance(path[-1], int) and event not in ("end_array", "map_key", "end_map"):
                path[-1] += 1
            if event == "map_key":
                path[-1] = str(value)
            elif event in ("start_map", "start_array"):
                if len(path) >= MAX_DEPTH:
                    return DocumentValidationError(
                        label, _path(path), f"nested deeper than {MAX_DEPTH} levels"
                    )
                path.append("" if event == "start_map" else -1)
            elif event in ("end_map", "end_array"):
                path.pop()
    except ijson.JSONError as error:
        if path and isinstance(path[-1], int):
            path[-1] += 1  # the item at fault produced no event
        elif path and path[-1] == "":
            path.pop()  # an object whose first key is at fault: the object is
        return DocumentValidationError(
            label, _path(path), f"not valid JSON (NaN and Infinity are refused): {_first_line(error)}"
        )
    return DocumentValidationError(label, "$", otherwise)


def _path(steps: list[str | int]) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else json_member(step) for step in steps)


def _first_line(error: Exception) -> str:
    """The error's first line (yajl's messages come as bytes, with the text at fault on later lines)."""
    message = error.args[0] if error.args else ""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def solver_envelope(file: IO[bytes], label: str) -> SolverDocument:
    """The document without its tree entries, validated (`label` names it in errors)."""
    builder = ijson.ObjectBuilder()
    try:
        for prefix, event, value in ijson.parse(file, use_float=True):
            if prefix == _TREE_ITEM or prefix.startswith(_TREE_ITEM + "."):
                continue
            builder.event(event, value)
    except ijson.JSONError as error:
        file.seek(0)
        raise _refusal(file, label, f"not valid JSON: {_first_line(error)}") from None
    document = getattr(builder, "value", None)
    if not isinstance(document, dict):
        raise DocumentValidationError(label, "$", "a document is a JSON object")
    return validate_document(document, "solver")


def _rows(entry: SolverTreeEntry) -> int:
    """About how many rows an entry becomes (its dependency edges dominate)."""
    edges = sum(len(r.versions) for d in entry.dependencies for r in d.resolved_versions)
    return 10 + edges + len(entry.sha256) + len(entry.packages or [])


def solver_tree(file: IO[bytes], document_id: str, rows: int) -> Iterator[list[SolverTreeEntry]]:
    """The entries of `result.tree` from the start of `file`, validated, in slices of about `rows` rows."""
    file.seek(0)
    entries: list[SolverTreeEntry] = []
    size = 0
    parsed = 0
    try:
        for index, raw in enumerate(ijson.items(file, _TREE_ITEM, use_float=True)):
            parsed = index + 1
            entry = validate_part(SolverTreeEntry, raw, document_id, f"$.result.tree[{index}]")
            entries.append(entry)
            size += _rows(entry)
            if size >= rows:
                yield entries
                entries, size = [], 0
    except ijson.JSONError as error:
        file.seek(0)
        raise _refusal(
            file, document_id, f"not valid JSON at $.result.tree[{parsed}]: {_first_line(error)}"
        ) from None
    if entries:
        yield entries
