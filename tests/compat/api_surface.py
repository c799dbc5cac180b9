"""The public surface of `thoth.storages` as JSON: names, signatures, class constants, enum members.

Runs under any Python with the package importable (the original's venv or ours), standard library only:

    python api_surface.py > surface.json

Output: {"module.path": {"Name": entry}}, where an entry is
    {"kind": "function"|"class"|"enum"|"value", "params": [param, ...] | null,
     "value": repr for str/int/bool/None values, "members": {"attr": entry}}
and a param is [name, kind, default repr or null].
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import pkgutil
import re
import sys
import types

_PACKAGE = "thoth.storages"
_OWN_PREFIXES = ("thoth.storages", "thoth_storages", "generated")
_CONSTANT = re.compile(r"_?[A-Z][A-Z0-9_]*")
_SKIPPED_TYPES_FROM = ("typing", "__future__", "collections.abc", "sqlalchemy")


def module_paths() -> list[str]:
    """Every module of the installed `thoth.storages`, the package first."""
    package = importlib.import_module(_PACKAGE)
    modules = sorted(info.name for info in pkgutil.walk_packages(package.__path__, _PACKAGE + "."))
    return [_PACKAGE, *modules]


def _is_own(obj: object) -> bool:
    return str(getattr(obj, "__module__", "") or "").startswith(_OWN_PREFIXES)


def _primitive(value: object) -> str | None:
    return repr(value) if value is None or isinstance(value, str | int | float) else None


def params(obj: object) -> list[list[str | None]] | None:
    """[name, kind, default repr] of each parameter, or None when the signature cannot be read."""
    try:
        signature = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return [
        [p.name, p.kind.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
        for p in signature.parameters.values()
    ]


def _member_names(cls: type) -> list[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if not _is_own(klass):
            continue
        for name, value in vars(klass).items():
            if isinstance(value, property):
                continue
            public = not name.startswith("_")
            method = callable(value) or isinstance(value, staticmethod | classmethod)
            constant = _CONSTANT.fullmatch(name) and (public or isinstance(value, str | int))
            if (public and method) or constant:
                names.add(name)
    return sorted(names)


def _defined_in(cls: type, name: str) -> str:
    for klass in cls.__mro__:
        if name in vars(klass):
            return f"{klass.__module__}.{klass.__qualname__}"
    return ""


def _origin(obj: object) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"


def describe(obj: object) -> dict[str, object]:
    """One entry of the surface (see the module docstring)."""
    if isinstance(obj, type) and issubclass(obj, enum.Enum):
        members = {m.name: {"kind": "value", "params": None, "value": repr(m.value)} for m in obj}
        return {"kind": "enum", "params": None, "members": members, "origin": _origin(obj)}
    if isinstance(obj, type):
        members: dict[str, object] = {}
        for name in _member_names(obj):
            value = inspect.getattr_static(obj, name)
            entry = describe(getattr(obj, name))
            if isinstance(value, staticmethod | classmethod):
                entry["kind"] = type(value).__name__
            entry["defined_in"] = _defined_in(obj, name)
            members[name] = entry
        return {"kind": "class", "params": params(obj), "members": members, "origin": _origin(obj)}
    if callable(obj) and not isinstance(obj, type):
        if isinstance(obj, types.FunctionType | types.MethodType):
            return {"kind": "function", "params": params(obj), "origin": _origin(obj)}
        return {"kind": "value", "params": None}
    return {"kind": "value", "params": None, "value": _primitive(obj)}


def public_names(module: types.ModuleType) -> list[str]:
    """`__all__`, else the names a module defines or re-exports from this library, plus its constants."""
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return sorted(declared)
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or name == "TYPE_CHECKING" or isinstance(obj, types.ModuleType):
            continue
        if isinstance(obj, type) or inspect.isroutine(obj):
            if _is_own(obj):
                names.append(name)
        elif not str(type(obj).__module__).startswith(_SKIPPED_TYPES_FROM):
            names.append(name)
    return sorted(names)


def surface() -> dict[str, dict[str, object]]:
    """The surface of every module of the installed `thoth.storages`."""
    result: dict[str, dict[str, object]] = {}
    for path in module_paths():
        module = importlib.import_module(path)
        result[path] = {name: describe(getattr(module, name)) for name in public_names(module)}
    return result


if __name__ == "__main__":
    json.dump(surface(), sys.stdout, indent=1, sort_keys=True)
