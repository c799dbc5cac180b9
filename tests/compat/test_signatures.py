"""Every public name and signature of thoth-storages 0.74.2 against ours, under `thoth.storages`.

tests/compat/api_surface.py dumps the original's surface in its own virtualenv (installed by
scripts/compat-original.sh) and ours in this process. A call that works on the original must work the
same on ours: positional parameters at the same places with the same names, keyword parameters present,
the same defaults; parameters we add only with defaults, after the original's. Differences are allowed
only where schema/COMPATIBILITY.md lists them (`signature:Class.member`, `name:thoth.storages.module.Name`),
and a listed entry that no longer differs fails too.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.compat import api_surface

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL_PYTHON = ROOT / ".thoth-storages" / "original-venv" / "bin" / "python"
INSTALL_FAILED = 3
_ALLOWED = re.compile(r"^- `(\w+):([^`]+)`", re.MULTILINE)
_POSITIONAL = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")

Entry = dict[str, Any]
Param = list[str | None]


def allowed_differences() -> dict[str, set[str]]:
    """The ids of schema/COMPATIBILITY.md's deliberate differences, by kind."""
    text = (ROOT / "schema" / "COMPATIBILITY.md").read_text(encoding="utf-8")
    section = text.split("## Deliberate differences from 0.74.2", 1)
    found: dict[str, set[str]] = defaultdict(set)
    for kind, name in _ALLOWED.findall(section[1] if len(section) == 2 else ""):
        found[kind].add(name)
    return found


@pytest.fixture(scope="module")
def original() -> dict[str, dict[str, Entry]]:
    """The original's surface, dumped by its own interpreter."""
    installed = subprocess.run(
        [str(ROOT / "scripts" / "compat-original.sh"), "--install-only"],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode == INSTALL_FAILED:
        pytest.skip(f"thoth-storages 0.74.2 cannot be installed here: {installed.stderr.strip()}")
    assert installed.returncode == 0, installed.stderr
    dumped = subprocess.run(
        [str(ORIGINAL_PYTHON), "-I", "-W", "ignore", str(Path(api_surface.__file__))],
        capture_output=True,
        text=True,
        check=True,
    )
    surface: dict[str, dict[str, Entry]] = json.loads(dumped.stdout)
    return surface


def _split(params: list[Param]) -> tuple[list[Param], dict[str, Param], set[str]]:
    positional = [p for p in params if p[1] in _POSITIONAL]
    keyword = {str(p[0]): p for p in params if p[1] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")}
    variadic = {str(p[1]) for p in params if p[1] in ("VAR_POSITIONAL", "VAR_KEYWORD")}
    return positional, keyword, variadic


def call_problems(theirs: list[Param], ours: list[Param]) -> list[str]:
    """Why a call that works on `theirs` would not work the same on `ours` (empty when it would)."""
    problems: list[str] = []
    their_pos, their_kw, their_var = _split(theirs)
    our_pos, our_kw, our_var = _split(ours)
    problems += [f"no {kind}" for kind in sorted(their_var - our_var)]
    for index, (name, kind, default) in enumerate(their_pos):
        if index >= len(our_pos):
            if "VAR_POSITIONAL" not in our_var or kind != "POSITIONAL_ONLY":
                problems.append(f"positional parameter {index} {name!r} missing")
            continue
        our_name, our_kind, our_default = our_pos[index]
        if kind == "POSITIONAL_OR_KEYWORD" and (our_name != name or our_kind != kind):
            problems.append(f"positional parameter {index} is {our_name!r} ({our_kind}), not {name!r}")
        elif default is not None and our_default != default:
            problems.append(f"{name!r} defaults to {our_default or 'nothing'}, not {default}")
    for name, (_, kind, default) in their_kw.items():
        if kind != "KEYWORD_ONLY":
            continue
        if name not in our_kw:
            problems.append(f"keyword parameter {name!r} missing")
        elif default is not None and our_kw[name][2] != default:
            problems.append(f"{name!r} defaults to {our_kw[name][2] or 'nothing'}, not {default}")
    known = {str(p[0]) for p in theirs} | {str(p[0]) for p in our_pos[: len(their_pos)]}
    problems += [
        f"added parameter {name!r} has no default"
        for name, kind, default in ours
        if default is None and kind in (*_POSITIONAL, "KEYWORD_ONLY") and str(name) not in known
    ]
    return problems


def _member_params(entry: Entry) -> list[Param] | None:
    params: list[Param] | None = entry.get("params")
    if params is not None and entry["kind"] == "function":
        return params[1:]  # the instance method's self
    return params


class Report:
    """Differences keyed like COMPATIBILITY.md, and the signature tally."""

    def __init__(self) -> None:
        self.differences: dict[str, list[str]] = defaultdict(list)
        self.signatures: dict[str, bool] = {}

    def name(self, key: str, why: str) -> None:
        self.differences[f"name:{key}"].append(why)

    def signature(self, key: str, problems: list[str]) -> None:
        self.signatures[key] = self.signatures.get(key, True) and not problems
        if problems:
            self.differences[f"signature:{key}"].extend(problems)


def _short(origin: str) -> str:
    """`Class.member`, `Class` or `function` from an origin `thoth.storages.module.Class.member`."""
    parts = origin.split(".")
    classes = [index for index, part in enumerate(parts) if part[:1].isupper()]
    return ".".join(parts[classes[0] :]) if classes else parts[-1]


def _compare_class(report: Report, theirs: Entry, ours: type) -> None:
    short = _short(theirs["origin"])
    if theirs["params"] is not None:
        report.signature(short, call_problems(theirs["params"], api_surface.params(ours) or []))
    for member, their_member in theirs["members"].items():
        defined_in = their_member["defined_in"]
        if not hasattr(ours, member):
            report.name(f"{defined_in}.{member}", f"{ours.__name__} has no {member}")
            continue
        ours_member = api_surface.describe(getattr(ours, member))
        static = inspect.getattr_static(ours, member)
        ours_kind = type(static).__name__ if isinstance(static, staticmethod | classmethod) else "function"
        key = f"{_short(defined_in)}.{member}"
        if their_member["params"] is None:
            if "value" in their_member and their_member["value"] != ours_member.get("value"):
                report.signature(key, [f"is {ours_member.get('value')}, not {their_member['value']}"])
            continue
        problems = []
        if their_member["kind"] != "function" and ours_kind == "function":
            problems.append(f"a {their_member['kind']} in the original, an instance method here")
        ours_params = _member_params({**ours_member, "kind": ours_kind})
        problems += call_problems(_member_params(their_member) or [], ours_params or [])
        report.signature(key, problems)


def _compare(report: Report, path: str, name: str, theirs: Entry, ours: object) -> None:
    if theirs["kind"] == "enum":
        for member, value in theirs["members"].items():
            ours_value = getattr(ours, member, None)
            if ours_value is None:
                report.name(f"{path}.{name}.{member}", "missing enum member")
            elif repr(getattr(ours_value, "value", None)) != value["value"]:
                report.signature(f"{name}.{member}", [f"value {ours_value!r}, not {value['value']}"])
    elif theirs["kind"] == "class":
        if not isinstance(ours, type):
            report.name(f"{path}.{name}", f"not a class here: {ours!r}")
        else:
            _compare_class(report, theirs, ours)
    elif theirs["kind"] == "function":
        ours_params = api_surface.params(ours)
        if ours_params is None:
            report.name(f"{path}.{name}", "not callable here")
        else:
            report.signature(_short(theirs["origin"]), call_problems(theirs["params"] or [], ours_params))


def _ours(path: str) -> ModuleType | None:
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        return None


def compare(original: Mapping[str, Mapping[str, Entry]]) -> tuple[Report, list[str]]:
    """The differences, and the names that break the one-implementation rule."""
    report = Report()
    same_object: dict[str, list[tuple[str, object]]] = defaultdict(list)
    compared: set[str] = set()
    for path, names in sorted(original.items()):
        module = _ours(path)
        for name, theirs in sorted(names.items()):
            if module is None or not hasattr(module, name):
                report.name(f"{path}.{name}", "missing")
                continue
            ours = getattr(module, name)
            origin = theirs.get("origin")
            if origin is not None:
                same_object[origin].append((f"{path}.{name}", ours))
            if origin not in compared:
                _compare(report, path, name, theirs, ours)
                compared.add(origin or f"{path}.{name}")
    copies = [
        f"{where}: defined under thoth.storages, not re-exported from thoth_storages"
        for entries in same_object.values()
        for where, ours in entries
        if str(getattr(ours, "__module__", "")).startswith("thoth.storages")
    ]
    copies += [
        f"{origin}: {[where for where, _ in entries]} are different objects here"
        for origin, entries in same_object.items()
        if len({id(ours) for _, ours in entries}) > 1
    ]
    return report, copies


def _lines(differences: Mapping[str, list[str]]) -> Iterator[str]:
    for key in sorted(differences):
        yield f"{key}: {'; '.join(differences[key])}"


def test_every_original_name_and_signature_is_ours_or_listed(
    original: dict[str, dict[str, Entry]], capsys: pytest.CaptureFixture[str]
) -> None:
    report, copies = compare(original)
    equal = sum(report.signatures.values())
    with capsys.disabled():  # the figure shows in every run
        print(f"\n{equal}/{len(report.signatures)} signatures equal")
    assert not copies
    allowed = allowed_differences()
    listed = {f"{kind}:{name}" for kind in ("name", "signature") for name in allowed.get(kind, set())}
    covered = {
        key
        for key in report.differences
        if key in listed or any(key.startswith(f"{entry}.") for entry in listed if entry.startswith("name:"))
    }
    unlisted = {key: report.differences[key] for key in report.differences if key not in covered}
    assert not unlisted, "differences not listed in schema/COMPATIBILITY.md:\n" + "\n".join(_lines(unlisted))
    stale = sorted(listed - set(report.differences))
    assert not stale, f"listed in schema/COMPATIBILITY.md but no longer different: {stale}"


def test_the_comparison_catches_what_breaks_a_call() -> None:
    base: list[Param] = [["name", "POSITIONAL_OR_KEYWORD", None], ["count", "KEYWORD_ONLY", "100"]]
    assert call_problems(base, base) == []
    assert call_problems(base, [["key", "POSITIONAL_OR_KEYWORD", None], base[1]])
    assert call_problems(base, [base[0], ["count", "KEYWORD_ONLY", "10"]])
    assert call_problems(base, [["name", "KEYWORD_ONLY", None], base[1]])
    assert call_problems(base, [*base, ["extra", "KEYWORD_ONLY", None]])
    assert call_problems(base, [*base, ["extra", "KEYWORD_ONLY", "None"]]) == []
    assert call_problems(
        [["name", "POSITIONAL_OR_KEYWORD", None], ["other", "POSITIONAL_OR_KEYWORD", None]], base
    )
