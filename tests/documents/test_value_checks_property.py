"""The document value check's level-at-a-time shortcut against a plain recursive reference.

`documents.check_values` first asks `_plain_values`, which looks at a whole level of the document
at once; whatever it lets through must be what a value-by-value reading accepts: no NUL or lone
surrogate in a string or key, no NaN or infinity, nothing nested at depth MAX_DEPTH or deeper.
`nests_deeper` must find the same depth as a recursive count.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thoth_storages.documents import MAX_DEPTH, DocumentValidationError, check_values, nests_deeper

TEXT = st.one_of(st.text(max_size=6), st.sampled_from(["\x00", "a\ud800", "é", "\\u0000", "[{", "}]"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=30,
)


def _depth(value: object) -> int:
    """Levels of objects and arrays (a scalar has none, `[]` one)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _bad_text(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _accepted(value: object, depth: int = 0) -> bool:
    if isinstance(value, str):
        return not _bad_text(value)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            return False
        items = value.values() if isinstance(value, dict) else value
        keys_ok = not any(_bad_text(key) for key in value) if isinstance(value, dict) else True
        return keys_ok and all(_accepted(item, depth + 1) for item in items)
    return True


def _nested(value: object, levels: int) -> object:
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


DOCUMENTS = st.one_of(
    VALUES,
    st.builds(_nested, VALUES, st.integers(MAX_DEPTH - 3, MAX_DEPTH + 1)),
)


@settings(max_examples=800, deadline=None)
@given(document=DOCUMENTS)
def test_check_values_refuses_exactly_what_a_value_by_value_reading_refuses(document: object) -> None:
    if _accepted(document):
        check_values(document, "doc")
    else:
        with pytest.raises(DocumentValidationError):
            check_values(document, "doc")


@settings(max_examples=500, deadline=None)
@given(document=DOCUMENTS, limit=st.integers(0, MAX_DEPTH + 2))
def test_nests_deeper_agrees_with_a_recursive_count(document: object, limit: int) -> None:
    assert nests_deeper(document, limit) == (_depth(document) > limit)
