"""Software stacks: a Pipfile and its Pipfile.lock -> requirements, locks and stacks, internal and external.

One piece of code serves both kinds of stack:

* **external** (user-supplied, `external_python_*`): the lock pins package *entities*
  (`has_external_python_requirement_lock`), and a stack without a lock gets the "no lock" lock;
* **internal** (`python_*`, for advised and inspected stacks): the lock pins package *versions* of one
  environment (`has_python_requirement_lock`).

A requirements set and a lock are identified by a hash of their member rows' natural keys, index ids
given as their URLs (a set identity, as in the original, which hashed the members' ids with ssdeep: ids
depend on the order in which documents arrive, natural keys do not; see docs/sync.md).
Every table is written with one `ensure` for all the stacks of a call, parents first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion

from generated import rows
from generated.documents.metadata import Pipfile, PipfileLock
from generated.models import SoftwareStackType
from generated.rows import RowSet, RowTable

from ...exceptions import SchemaError
from .. import normalize
from ..bulk import Key, Row, SetWriter, Tally, ids_in_order
from ..steps import Ensure, Request

EntityKey = tuple[str, str | None, int | None]  # (name, version, index id)
UrlEntityKey = tuple[str, str | None, str | None]  # (name, version, index URL)
_PINNED = re.compile(r"^===?\s*(?P<version>\S+)$")
Member = tuple[str | bool | None, ...]
"""A member row of a requirements set or lock, by natural key (index id as URL): what `set_hash` hashes."""
NO_LOCK: tuple[Member, ...] = (("no lock",),)
"""The members of the lock of an external stack submitted without a Pipfile.lock (no row has that key)."""


@dataclass(frozen=True)
class Requirement:
    """One direct requirement of a Pipfile."""

    name: str
    version_range: str
    develop: bool
    index_url: str | None


@dataclass(frozen=True)
class Locked:
    """One pinned package of a Pipfile.lock."""

    name: str
    version: str | None
    index_url: str | None


@dataclass(frozen=True)
class PackageEnvironment:
    """Where the versions of an internal lock live (python_package_version's environment columns)."""

    os_name: str
    os_version: str
    python_version: str


@dataclass(frozen=True)
class InternalStack:
    """One internal stack to write: its Pipfile, lock, type and scores; `path` locates it for errors."""

    requirements: Pipfile | None
    lock: PipfileLock | None
    path: str
    software_stack_type: SoftwareStackType
    performance_score: float | None = None
    overall_score: float | None = None


def document_base_id(document_id: str) -> str:
    """The last path segment of a document id: what identifies a run (as the sync's existence checks do)."""
    return document_id.rstrip("/").rsplit("/", 1)[-1]


def set_hash(members: Iterable[Member]) -> str:
    """Deterministic identity of a set of rows: sha256 of their sorted, JSON-encoded natural keys."""
    return hashlib.sha256("\n".join(sorted({json.dumps(m) for m in members})).encode()).hexdigest()


def requirements_of(pipfile: Pipfile, path: str) -> list[Requirement]:
    """[packages] and [dev-packages] of a Pipfile; an `index` name is resolved through its [[source]]s."""
    sources = {source.name: source.url for source in pipfile.source or []}
    result = []
    for section, develop in (("packages", False), ("dev-packages", True)):
        entries = (pipfile.packages if not develop else pipfile.dev_packages) or {}
        for name, entry in entries.items():
            index_url = None
            if isinstance(entry, str):
                version_range = entry
            elif isinstance(entry, Mapping):
                version = entry.get("version")
                version_range = version if isinstance(version, str) else "*"
                index = entry.get("index")
                index_url = sources.get(index) if isinstance(index, str) else None
            else:
                raise SchemaError(f"{path}['{section}']['{name}']: a version string or a table expected")
            result.append(Requirement(normalize.package_name(name), version_range, develop, index_url))
    return result


def locked_of(lock: PipfileLock, path: str) -> list[Locked]:
    """`default` and `develop` of a Pipfile.lock; an `index` name is resolved through `_meta.sources`."""
    sources: dict[str, str] = {}
    listed = (lock.field_meta or {}).get("sources") or []
    if not isinstance(listed, list):
        raise SchemaError(f"{path}._meta.sources: a list of sources expected, not {type(listed).__name__}")
    for source in listed:
        if (
            isinstance(source, Mapping)
            and isinstance(source.get("name"), str)
            and isinstance(source.get("url"), str)
        ):
            sources[source["name"]] = source["url"]
    result = []
    for section in ("default", "develop"):
        for name, entry in (getattr(lock, section) or {}).items():
            version = entry.get("version") if isinstance(entry, Mapping) else None
            pinned = _PINNED.match(version.strip()) if isinstance(version, str) else None
            if pinned is None:
                raise SchemaError(f"{path}.{section}['{name}'].version: a pinned version (==x) expected")
            index = entry.get("index")
            result.append(
                Locked(
                    normalize.package_name(name),
                    normalize.package_version(pinned["version"]),
                    sources.get(index) if isinstance(index, str) else None,
                )
            )
    return result


def ensure_indexes(writer: SetWriter, urls: Iterable[str | None]) -> dict[str, int]:
    """Index URL (as given) -> id; unknown indexes are registered disabled, as the solver writer does."""
    given = sorted({url for url in urls if url is not None})
    ids = writer.ensure(
        rows.PYTHON_PACKAGE_INDEX(
            {
                "url": normalize.index_url(url, writer.index_aliases),
                "verify_ssl": True,
                "enabled": False,
                "only_if_package_seen": True,
            }
            for url in given
        )
    )
    return {
        url: ids[rows.PythonPackageIndexKey(normalize.index_url(url, writer.index_aliases))] for url in given
    }


def entity_rows(keys: Iterable[EntityKey]) -> list[rows.PythonPackageVersionEntityRow]:
    """python_package_version_entity rows of (name, version, index id) keys, sorted, once each."""
    unique = sorted(set(keys), key=lambda key: (key[0], key[1] or "", key[2] or 0))
    return [{"package_name": n, "package_version": v, "python_package_index_id": i} for n, v, i in unique]


def ensure_entities(writer: SetWriter, keys: Iterable[EntityKey]) -> dict[EntityKey, int]:
    """Ensure package entities (name, version, index id) and their solver-rule associations."""
    ids = writer.ensure(rows.PYTHON_PACKAGE_VERSION_ENTITY(entity_rows(keys)))
    link_rules(writer, ids)
    return cast(dict[EntityKey, int], ids)


def entity_steps(
    writer: SetWriter, keys: Iterable[EntityKey]
) -> Generator[Request, None, dict[EntityKey, int]]:
    """`ensure_entities` as steps (see `steps`): the entities, then the rules that may match them."""
    unique = set(keys)
    entities = Ensure.of(rows.PYTHON_PACKAGE_VERSION_ENTITY(entity_rows(unique)))
    yield entities
    found = entities.ids["python_package_version_entity"]
    ids = {key: found[key] for key in unique}  # answered together, `found` holds other documents' too
    if ids:
        lookup = RuleLookup(frozenset(key[0] for key in ids))
        yield lookup
        _link(writer, ids.items(), lookup.rules)
    return ids


def link_rules(writer: SetWriter, entity_ids: Mapping[rows.PythonPackageVersionEntityKey, int]) -> None:
    """Associate entities (natural key -> id) with the solver rules that match them (one query)."""
    if entity_ids:
        _link(writer, entity_ids.items(), _rules(writer, {key[0] for key in entity_ids}))


Rule = tuple[int, str, str | None, int | None]
"""A solver rule: (id, package name, version range, index id)."""


def _rules(writer: SetWriter, names: Iterable[str]) -> list[Rule]:
    """The solver rules of these package names."""
    with writer._cursor() as cursor:
        cursor.execute(
            "SELECT id, package_name, version_range, python_package_index_id "
            "FROM python_package_version_entity_rule WHERE package_name = ANY(%s)",
            (sorted(names),),
        )
        return cast(list[Rule], cursor.fetchall())


def _link(writer: SetWriter, entity_ids: Iterable[tuple[EntityKey, int]], rules: Iterable[Rule]) -> None:
    """Associate the entities (natural key, id) with those of the rules that match them."""
    by_name: dict[str, list[tuple[EntityKey, int]]] = {}
    for key, entity_id in entity_ids:
        by_name.setdefault(key[0], []).append((key, entity_id))
    links: list[rows.PythonPackageVersionEntityRulesAssociationRow] = []
    for rule_id, name, version_range, index_id in rules:
        entities = by_name.get(name)
        if not entities:
            continue
        try:
            specifier = SpecifierSet(version_range or "")
        except InvalidSpecifier:
            continue
        for (_name, version, entity_index), entity_id in entities:
            if index_id is not None and index_id != entity_index:
                continue
            if version is None or _contains(specifier, version):
                links.append(
                    {
                        "python_package_version_entity_id": entity_id,
                        "python_package_version_entity_rule_id": rule_id,
                    }
                )
    writer.ensure(rows.PYTHON_PACKAGE_VERSION_ENTITY_RULES_ASSOCIATION(links))


@dataclass
class RuleLookup(Request):
    """The solver rules of some package names (`rules`, once answered; answered together: the rules
    of every document's names)."""

    names: frozenset[str]
    rules: list[Rule] = field(default_factory=list)

    def answer(self, writer: SetWriter) -> None:
        self.rules = _rules(writer, self.names)

    @classmethod
    def answer_together(cls, writer: SetWriter, requests: Sequence[tuple[Tally, RuleLookup]]) -> None:
        rules = _rules(writer, frozenset().union(*(request.names for _tally, request in requests)))
        for _tally, request in requests:
            request.rules = rules


def _contains(specifier: SpecifierSet, version: str) -> bool:
    try:
        return specifier.contains(version, prereleases=True)
    except InvalidVersion:  # a version PEP 440 cannot parse matches only rules for any version
        return not specifier


@dataclass(frozen=True)
class ExternalStack:
    """One user stack to write: its Pipfile and optional lock; `path` locates it for errors."""

    requirements: Pipfile
    lock: PipfileLock | None
    path: str


@dataclass(frozen=True)
class WrittenStacks:
    """Ids of what `ensure_stacks` wrote, in the order of its arguments."""

    external: list[int]
    internal: list[int]
    entities: dict[UrlEntityKey, int]


def ensure_stacks(
    writer: SetWriter,
    *,
    external: Sequence[ExternalStack] = (),
    internal: Sequence[InternalStack] = (),
    environment: PackageEnvironment | None = None,
    entities: Iterable[UrlEntityKey] = (),
) -> WrittenStacks:
    """Every stack of one document, and other entities it names, with one `ensure` per table.

    User stacks go to `external_python_*` (locks pin entities; no lock is the NO_LOCK set), internal
    stacks to `python_*` (locks pin versions of `environment`). `entities` are (name, version, index URL)
    written with the locks' entities. One call per document keeps each table's advisory locks in one
    sorted batch, so concurrent syncs cannot deadlock on keys taken in different orders.
    """
    if internal and environment is None:
        raise ValueError("internal stacks need the environment their locks pin versions of")
    sources = [(s.requirements, s.lock, s.path) for s in external] + [
        (s.requirements, s.lock, s.path) for s in internal
    ]
    split = len(external)
    requirements = [requirements_of(p, f"{path}.requirements") if p else None for p, _l, path in sources]
    locks = [locked_of(lock, f"{path}.requirements_locked") if lock else None for _p, lock, path in sources]
    extra = sorted(set(entities), key=repr)
    aliases = writer.index_aliases
    index_ids = ensure_indexes(
        writer,
        [r.index_url for rs in requirements for r in rs or []]
        + [p.index_url for ps in locks for p in ps or []]
        + [url for _n, _v, url in extra],
    )

    def index_of(url: str | None) -> int | None:
        return index_ids[url] if url is not None else None

    requirement_rows: list[list[rows.PythonPackageRequirementRow] | None] = [
        [
            {
                "name": r.name,
                "version_range": r.version_range,
                "develop": r.develop,
                "python_package_index_id": index_of(r.index_url),
            }
            for r in rs
        ]
        if rs is not None
        else None
        for rs in requirements
    ]
    keyed = [
        [(p.name, p.version, index_of(p.index_url)) for p in ps] if ps is not None else None for ps in locks
    ]
    extra_keys = {key: (key[0], key[1], index_of(key[2])) for key in extra}
    # Requirements and entities refer only to indexes: one round trip for both.
    found = writer.ensure_many(
        rows.PYTHON_PACKAGE_REQUIREMENT(row for some in requirement_rows for row in some or []),
        rows.PYTHON_PACKAGE_VERSION_ENTITY(
            entity_rows([k for keys in keyed for k in keys or []] + list(extra_keys.values()))
        ),
    )
    entity_ids = cast(dict[EntityKey, int], found["python_package_version_entity"])
    link_rules(writer, cast(dict[rows.PythonPackageVersionEntityKey, int], entity_ids))
    requirement_ids = _ids_per_set(
        found["python_package_requirement"], "python_package_requirement", requirement_rows
    )
    requirement_sets = [
        (set_hash((r.name, r.version_range, r.develop, _url(r.index_url, aliases)) for r in rs), ids)
        if rs is not None
        else None
        for rs, ids in zip(requirements, requirement_ids, strict=True)
    ]
    external_lock_sets: list[tuple[str, list[int]] | None] = []
    for ps, keys in zip(locks[:split], keyed[:split], strict=True):
        members = [_entity_member(p, aliases) for p in ps] if ps is not None else NO_LOCK
        external_lock_sets.append((set_hash(members), [entity_ids[key] for key in keys or []]))
    version_rows = [
        _version_rows(keys, entity_ids, environment) if keys is not None else None for keys in keyed[split:]
    ]
    # Requirement sets and the internal locks' versions: one round trip.
    external_requirements = _Sets(
        rows.EXTERNAL_PYTHON_REQUIREMENTS,
        lambda h: {"requirements_hash": h},
        rows.HAS_EXTERNAL_PYTHON_REQUIREMENT,
        lambda s, m: {"external_python_requirements_id": s, "python_package_requirement_id": m},
        requirement_sets[:split],
    )
    internal_requirements = _Sets(
        rows.PYTHON_REQUIREMENTS,
        lambda h: {"requirements_hash": h},
        rows.HAS_PYTHON_REQUIREMENTS,
        lambda s, m: {"python_requirements_id": s, "python_package_requirement_id": m},
        requirement_sets[split:],
    )
    found = writer.ensure_many(
        external_requirements.rows(),
        internal_requirements.rows(),
        rows.PYTHON_PACKAGE_VERSION(row for some in version_rows for row in some or []),
    )
    version_ids = _ids_per_set(found["python_package_version"], "python_package_version", version_rows)
    internal_lock_sets = [
        (set_hash((*_entity_member(p, aliases), *_environment_member(environment)) for p in ps), ids)
        if ps is not None
        else None
        for ps, ids in zip(locks[split:], version_ids, strict=True)
    ]
    external_locks = _Sets(
        rows.EXTERNAL_PYTHON_REQUIREMENTS_LOCK,
        lambda h: {"requirements_lock_hash": h},
        rows.HAS_EXTERNAL_PYTHON_REQUIREMENT_LOCK,
        lambda s, m: {"external_python_requirements_locked_id": s, "python_package_version_entity_id": m},
        external_lock_sets,
    )
    internal_locks = _Sets(
        rows.PYTHON_REQUIREMENTS_LOCK,
        lambda h: {"requirements_lock_hash": h},
        rows.HAS_PYTHON_REQUIREMENT_LOCK,
        lambda s, m: {"python_requirements_lock_id": s, "python_package_version_id": m},
        internal_lock_sets,
    )
    found |= writer.ensure_many(external_locks.rows(), internal_locks.rows())
    external_requirement_ids = external_requirements.link(writer, found)
    internal_requirement_ids = internal_requirements.link(writer, found)
    external_lock_ids = external_locks.link(writer, found)
    internal_lock_ids = internal_locks.link(writer, found)
    external_rows: list[rows.ExternalPythonSoftwareStackRow] = [
        {"external_python_requirements_id": r, "external_python_requirements_lock_id": lock}
        for r, lock in zip(external_requirement_ids, external_lock_ids, strict=True)
    ]
    internal_rows: list[rows.PythonSoftwareStackRow] = [
        {
            "software_stack_type": stack.software_stack_type,
            "performance_score": stack.performance_score,
            "overall_score": stack.overall_score,
            "python_requirements_id": r,
            "python_requirements_lock_id": lock,
        }
        for stack, r, lock in zip(internal, internal_requirement_ids, internal_lock_ids, strict=True)
    ]
    stacks = writer.ensure_many(
        rows.EXTERNAL_PYTHON_SOFTWARE_STACK(external_rows), rows.PYTHON_SOFTWARE_STACK(internal_rows)
    )
    return WrittenStacks(
        ids_in_order(
            stacks["external_python_software_stack"], "external_python_software_stack", external_rows
        ),
        ids_in_order(stacks["python_software_stack"], "python_software_stack", internal_rows),
        {key: entity_ids[k] for key, k in extra_keys.items()},
    )


def ensure_external_stack(
    writer: SetWriter, requirements: Pipfile, lock: PipfileLock | None, path: str
) -> int:
    """One user stack (external_python_software_stack); returns its id."""
    return ensure_stacks(writer, external=[ExternalStack(requirements, lock, path)]).external[0]


def ensure_internal_stacks(
    writer: SetWriter, stacks: Sequence[InternalStack], environment: PackageEnvironment
) -> list[int]:
    """Internal stacks (python_software_stack) whose locks pin versions of `environment`; ids in order."""
    return ensure_stacks(writer, internal=stacks, environment=environment).internal


def _url(url: str | None, aliases: Sequence[tuple[str, str]]) -> str | None:
    return normalize.index_url(url, aliases) if url is not None else None


def _entity_member(locked: Locked, aliases: Sequence[tuple[str, str]]) -> Member:
    return (locked.name, locked.version, _url(locked.index_url, aliases))


def _environment_member(environment: PackageEnvironment | None) -> Member:
    assert environment is not None
    return (environment.os_name, environment.os_version, environment.python_version)


def _version_rows(
    keys: list[EntityKey], entity_ids: dict[EntityKey, int], environment: PackageEnvironment | None
) -> list[rows.PythonPackageVersionRow]:
    assert environment is not None
    return [
        {
            "package_name": name,
            "package_version": version,
            "python_package_index_id": index_id,
            "os_name": environment.os_name,
            "os_version": environment.os_version,
            "python_version": environment.python_version,
            "entity_id": entity_ids[(name, version, index_id)],
            "is_missing": False,
        }
        for name, version, index_id in keys
    ]


def _ids_per_set(
    ids: Mapping[Key, int], table: str, row_sets: Sequence[Sequence[Row] | None]
) -> list[list[int]]:
    """The ids of each set's rows, in order, from an `ensure` result over the rows of every set."""
    return [ids_in_order(ids, table, some or []) for some in row_sets]


SetRow = TypeVar("SetRow", bound=Mapping[str, object])
LinkRow = TypeVar("LinkRow", bound=Mapping[str, object])


@dataclass(frozen=True)
class _Sets(Generic[SetRow, LinkRow]):
    """Set rows identified by the hash of their members (requirements or locks) and their member links."""

    table: RowTable[SetRow, Any]
    row: Callable[[str], SetRow]
    """The set's row of a hash."""
    link_table: RowTable[LinkRow, Any]
    link_row: Callable[[int, int], LinkRow]
    """The link row of a set id and a member id."""
    sets: list[tuple[str, list[int]] | None]

    def rows(self) -> RowSet[SetRow, Any]:
        return self.table(self.row(h) for h, _m in filter(None, self.sets))

    def link(self, writer: SetWriter, found: Mapping[str, Mapping[Key, int]]) -> list[int | None]:
        """Write the member links (deferred by the sync's writer); the set id of each (None stays None)."""
        ids = found.get(self.table.name, {})
        writer.ensure(
            self.link_table(
                self.link_row(ids[(h,)], member)
                for h, members in filter(None, self.sets)
                for member in members
            )
        )
        return [ids[(s[0],)] if s is not None else None for s in self.sets]
