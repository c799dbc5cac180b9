"""The README's count of hand-written and generated GraphDatabase methods is the real one."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from thoth_storages import GraphDatabase

README = Path(__file__).resolve().parents[1] / "README.md"


def _public_methods() -> dict[str, str]:
    """Public callables of GraphDatabase (properties included) by name, each with its defining module."""
    found: dict[str, str] = {}
    for name in dir(GraphDatabase):
        if name.startswith("_"):
            continue
        attribute = inspect.getattr_static(GraphDatabase, name)
        function = attribute.fget if isinstance(attribute, property) else attribute
        function = getattr(function, "__func__", function)
        if callable(function):
            found[name] = function.__module__
    return found


def test_readme_states_the_real_split() -> None:
    methods = _public_methods()
    generated = sum(module.startswith("generated.") for module in methods.values())
    hand_written = len(methods) - generated
    stated = re.search(r"(\d+) are hand-written and\s+(\d+) generated", README.read_text())
    assert stated, "README.md no longer states the split of GraphDatabase methods"
    assert (int(stated[1]), int(stated[2])) == (hand_written, generated)
