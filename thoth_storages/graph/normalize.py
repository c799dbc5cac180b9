"""Normalisation the original applied before reading or writing: names, versions, indexes, OS."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..exceptions import SolverNameParseError

_OS_NAMES = {"ubi": "rhel"}
_SOLVER_NAME = re.compile(
    r"(?P<name>solver-(?P<os>[a-z0-9_.]+?)-(?P<version>[^-]+)-py(?P<major>\d)(?P<minor>\d+))(?:-|$)"
)


@lru_cache(maxsize=65536)  # the same names and versions recur across documents
def package_name(name: str) -> str:
    """PEP 503 normalised package name."""
    return str(canonicalize_name(name))


@lru_cache(maxsize=65536)
def package_version(version: str | None) -> str | None:
    """PEP 440 normalised version; versions PEP 440 cannot parse are kept as they are."""
    if version is None:
        return None
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def os_name(name: str) -> str:
    """Operating-system name as the graph stores it (`ubi` is stored as `rhel`)."""
    lowered = name.lower()
    return _OS_NAMES.get(lowered, lowered)


def os_version(name: str, version: str) -> str:
    """RHEL versions are stored by their major part (`8.3` -> `8`)."""
    return version.split(".", 1)[0] if os_name(name) == "rhel" else version


def date(value: str) -> str:
    """A "DD-MM-YYYY" date filter as given; ValueError naming it otherwise (as the original's strptime)."""
    try:
        datetime.datetime.strptime(value, "%d-%m-%Y")
    except ValueError:
        raise ValueError(f"date {value!r} is not DD-MM-YYYY") from None
    return value


def index_url(url: str, aliases: Sequence[tuple[str, str]]) -> str:
    """An index URL with `aliases` applied: (old URL without a trailing slash, new URL) pairs, as
    `DatabaseSettings.index_aliases` holds them."""
    bare = url.rstrip("/")
    return next((new for old, new in aliases if old == bare), url)


def os_filter(name: str | None, version: str | None) -> tuple[str | None, str | None]:
    """Optional OS name and version filters, normalised as the graph stores them (None disables one)."""
    normal_name = None if name is None else os_name(name)
    return normal_name, None if version is None else os_version(normal_name or "", version)


def document_id(document: Mapping[str, object]) -> str:
    """The id a result document was synced under: the last segment of its `metadata.document_id`
    (KeyError naming what is missing)."""
    metadata = document.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("document_id"), str):
        raise KeyError("the document has no metadata.document_id")
    return str(metadata["document_id"]).rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SolverEnvironment:
    """What a solver document id says about the environment it solved in."""

    solver_name: str
    os_name: str
    os_version: str
    python_version: str


def solver_environment(document_id: str) -> SolverEnvironment:
    """Parse `solver-<os>-<version>-py<XY>[-...]` (the original dropped two trailing parts blindly)."""
    match = _SOLVER_NAME.match(document_id.rsplit("/", 1)[-1])
    if match is None:
        raise SolverNameParseError(
            f"{document_id}: not a solver document id (expected solver-<os>-<version>-py<XY>-...)"
        )
    return SolverEnvironment(
        solver_name=match["name"],
        os_name=os_name(match["os"]),
        os_version=os_version(match["os"], match["version"]),
        python_version=f"{match['major']}.{match['minor']}",
    )
