"""The public GraphDatabase names against the original's (reference §2.3, listed in original_names.txt).

NOT_YET is the honest list of the original's names not implemented yet; the test fails when one of them
appears (remove it from NOT_YET) and when any other name is missing.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from thoth_storages import GraphDatabase

ORIGINAL = [
    line.strip()
    for line in (Path(__file__).parent / "original_names.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]

NOT_YET: frozenset[str] = frozenset()  # every name of the reference is implemented


def test_the_list_is_the_reference_list() -> None:
    assert len(ORIGINAL) == len(set(ORIGINAL)) == 176  # 174 on the class + is_connected, disconnect
    assert set(ORIGINAL) >= NOT_YET


def test_every_implemented_original_name_is_public_and_callable() -> None:
    implemented = [name for name in ORIGINAL if name not in NOT_YET]
    missing = [name for name in implemented if not callable(getattr(GraphDatabase, name, None))]
    assert not missing
    for name in implemented:
        assert (
            inspect.signature(getattr(GraphDatabase, name)).return_annotation is not inspect.Signature.empty
        )


def test_not_yet_is_honest() -> None:
    appeared = sorted(name for name in NOT_YET if hasattr(GraphDatabase, name))
    assert not appeared, f"implemented now, remove from NOT_YET: {appeared}"
