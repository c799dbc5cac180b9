"""The differential suite's own rules, without databases: the canonical encoding and when answers agree."""

from __future__ import annotations

import datetime

from tests.compat.differential import ENTRY, deliberate, same
from tests.compat.original_driver import canonical


def _question(**kwargs: object) -> dict[str, object]:
    return {"method": "m", "args": [], "kwargs": kwargs, "randomized": False, "default_count": 100}


def test_canonical_tells_shapes_apart() -> None:
    assert canonical(("a", 1)) != canonical(["a", 1])
    assert canonical({"a": 1}) == canonical({"a": 1}) != canonical([("a", 1)])
    assert canonical({("n", "v"): 1}) == {"dict": [[{"tuple": ["n", "v"]}, 1]]}
    assert canonical(frozenset({None, "x"})) == canonical({"x", None})
    assert canonical(datetime.datetime(2020, 1, 2, 3, 4)) == {"datetime": "2020-01-02T03:04:00"}
    assert canonical({"b": 1, "a": 2}) == canonical({"a": 2, "b": 1})  # entries sorted


def test_order_counts_only_where_the_original_orders() -> None:
    forward, backward = canonical(["a", "b"]), canonical(["b", "a"])
    assert not same(_question(), True, forward, backward)
    assert same(_question(), False, forward, backward)  # no ORDER BY: a multiset
    assert not same(_question(), False, forward, canonical(["a", "a", "b"]))  # duplicates count
    # "sort": ordered only when called with sort=True
    assert same(_question(), "sort", forward, backward)
    assert not same(_question(sort=True), "sort", forward, backward)


def test_an_arbitrary_page_of_an_unordered_answer_is_compared_by_size() -> None:
    assert same(_question(start_offset=1, count=2), False, canonical(["a", "b"]), canonical(["c", "d"]))
    assert not same(_question(start_offset=1, count=2), False, canonical(["a", "b"]), canonical(["c"]))
    assert not same(_question(start_offset=1, count=2), True, canonical(["a", "b"]), canonical(["c", "d"]))


def test_an_exception_is_an_answer() -> None:
    assert not same(_question(), False, {"raises": "NotFoundError"}, [])
    assert same(_question(), True, {"raises": "ValueError"}, {"raises": "ValueError"})


def test_compatibility_entries_parse() -> None:
    listed = deliberate()
    assert {"answer", "table", "document"} <= set(listed)
    assert all(reason for entries in listed.values() for reason in entries.values())  # every entry says why
    assert ENTRY.match("- `table:depends_on.version_range` — why")
