"""Order independence on the real documents: any order, and concurrent workers, give the serial database.

Every unit of the real documents in tests/data/documents (all types: solver, adviser, package-extract,
inspection results, dependency-monkey, security-indicator) is synced in sorted order once, then in
permutations drawn by hypothesis and by four concurrent workers on overlapping subsets; each run is
compared with the sorted one on every column of every table, surrogate ids mapped through natural keys
(`graph.contents`). The runner is `tests.sync.order_support` (the reliability suite scales it up).
"""

from __future__ import annotations

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from tests.sync.order_support import (
    DatabaseTemplate,
    SyncUnit,
    contents_of,
    overlapping_workers,
    sync_concurrently,
    sync_serially,
    sync_units,
)
from thoth_storages.graph.contents import Contents, diff_contents

UNITS = sync_units()


@pytest.fixture(scope="module")
def template() -> DatabaseTemplate:
    return DatabaseTemplate()


@pytest.fixture(scope="module")
def serial(template: DatabaseTemplate) -> tuple[Contents, set[str]]:
    """The database after a sync of every unit in sorted order, and the units the library refused."""
    with template.copy() as database:
        refused = sync_serially(database, UNITS)
        return contents_of(database), refused


def test_the_units_cover_every_document_type(serial: tuple[Contents, set[str]]) -> None:
    prefixes = {unit.prefix for unit in UNITS}
    assert prefixes == {"adviser", "dependency", "inspection", "package", "security", "solver"}
    contents, refused = serial
    written = {unit.prefix for unit in UNITS if not any(r.startswith(f"{unit.label}:") for r in refused)}
    # Every type but the security indicators writes rows (they need their package solved first,
    # and no real solver document solved theirs: they are refused in every order alike).
    assert written >= prefixes - {"security"}
    assert sum(rows.total() for rows in contents.values()) > 5000


def _assert_same(expected: tuple[Contents, set[str]], contents: Contents, refused: set[str]) -> None:
    assert refused == expected[1]
    differences = diff_contents(expected[0], contents)
    if differences:
        pytest.fail(
            f"{len(differences)} table(s) differ from the serial sync:\n"
            + "\n".join(difference.describe() for difference in differences),
            pytrace=False,
        )


# No shrinking: each example is a whole sync, and the failure names the tables that differ already.
@settings(max_examples=5, derandomize=True, deadline=None, database=None, phases=[Phase.generate])
@given(order=st.permutations(UNITS))
def test_any_order_gives_the_serial_database(
    template: DatabaseTemplate, serial: tuple[Contents, set[str]], order: list[SyncUnit]
) -> None:
    with template.copy() as database:
        refused = sync_serially(database, order)
        _assert_same(serial, contents_of(database), refused)


@pytest.mark.parametrize("seed", [1, 2])
def test_four_concurrent_workers_give_the_serial_database(
    template: DatabaseTemplate, serial: tuple[Contents, set[str]], seed: int
) -> None:
    workers = overlapping_workers(UNITS, seed)
    assert sum(map(len, workers)) > len(UNITS)  # some units are synced by two workers at once
    with template.copy() as database:
        refused = sync_concurrently(database, workers)
        _assert_same(serial, contents_of(database), refused)
