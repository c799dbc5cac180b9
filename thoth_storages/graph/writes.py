"""The writers of GraphDatabase that link solver rules by Python version-range matching (hand-written).

`create_python_package_version_entity` and `create_python_rule` decide which entities a rule covers
with `packaging` (PEP 440 specifiers), which SQL cannot evaluate. Each runs in one transaction: rows go
in through `bulk.SetWriter` (natural keys, advisory locks, set statements); they empty the adapter's
query caches. The other writers are declared in schema/queries/writes.yaml and deletes.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from sqlalchemy import Connection, text

from generated import rows
from generated.models import PythonPackageVersionEntity
from generated.queries.rules import GetPythonRuleRow

from ..exceptions import NotFoundError
from . import normalize
from .adapter import AdapterBase
from .bulk import SetWriter


def _matches(version: str | None, version_range: str | None) -> bool:
    """Whether a rule's range covers the version (no range: every version; unparseable: none)."""
    if not version_range:
        return True
    if version is None:
        return False
    try:
        return Version(version) in SpecifierSet(version_range)
    except (InvalidVersion, InvalidSpecifier):
        return False


def merge_specifiers(first: str | None, second: str | None) -> str | None:
    """Both ranges at once, comma-joined in a stable order (None when neither narrows anything)."""
    parts = {str(spec) for text_ in (first, second) if text_ for spec in SpecifierSet(text_)}
    return ",".join(sorted(parts)) or None


def _unseen_index(url: str) -> rows.PythonPackageIndexRow:
    """The row of an index first seen in a write: disabled until someone enables it (as the solver sync)."""
    return {"url": url, "verify_ssl": True, "enabled": False, "only_if_package_seen": True}


def _index_id(connection: Connection, index_url: str | None) -> int | None:
    if index_url is None:
        return None
    found = connection.execute(
        text("SELECT id FROM python_package_index WHERE url = :url"), {"url": index_url}
    ).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"no package index {index_url!r} is registered")
    return int(found)


def _link_rules(writer: SetWriter, rule_ids: Sequence[int], package_name: str) -> None:
    """Link each rule to exactly the entities of its package (on its index, any when none) that its range
    covers: one read of the candidates, one set insert, one set delete."""
    candidates = writer.connection.execute(
        text(
            "SELECT r.id, r.version_range, e.id, e.package_version FROM python_package_version_entity_rule r "
            "JOIN python_package_version_entity e ON e.package_name = r.package_name AND "
            "(r.python_package_index_id IS NULL OR e.python_package_index_id = r.python_package_index_id) "
            "WHERE r.id = ANY(:rules) AND r.package_name = :name"
        ),
        {"rules": list(rule_ids), "name": package_name},
    ).all()
    links: list[rows.PythonPackageVersionEntityRulesAssociationRow] = [
        {"python_package_version_entity_id": entity, "python_package_version_entity_rule_id": rule}
        for rule, version_range, entity, version in candidates
        if _matches(version, version_range)
    ]
    writer.ensure(rows.PYTHON_PACKAGE_VERSION_ENTITY_RULES_ASSOCIATION(links))
    writer.connection.execute(
        text(
            "DELETE FROM python_package_version_entity_rules_association a WHERE "
            "a.python_package_version_entity_rule_id = ANY(:rules) AND NOT EXISTS (SELECT 1 FROM "
            "unnest(CAST(:entities AS integer[]), CAST(:linked AS integer[])) AS k(entity, rule) "
            "WHERE k.entity = a.python_package_version_entity_id AND k.rule = a.python_package_version_entity_rule_id)"
        ),
        {
            "rules": list(rule_ids),
            "entities": [link["python_package_version_entity_id"] for link in links],
            "linked": [link["python_package_version_entity_rule_id"] for link in links],
        },
    )


class WritesMixin(AdapterBase):
    """The rule-linking writers of GraphDatabase."""

    # Package entities ----------------------------------------------------------------------------

    def create_python_package_version_entity(
        self,
        package_name: str,
        package_version: str | None = None,
        index_url: str | None = None,
        *,
        only_if_package_seen: bool = False,
    ) -> tuple[PythonPackageVersionEntity, bool] | None:
        """Record a package entity (name, version, index) and link the solver rules covering it; as the
        original, `(entity, existed)`, or None when skipped (`only_if_package_seen` and no entity of that
        name on any index yet). An index not registered yet is registered disabled, as the solver sync does."""
        name = normalize.package_name(package_name)
        version = normalize.package_version(package_version)
        url = None if index_url is None else normalize.index_url(index_url, self.settings.index_aliases)
        with self._connection(begin=True) as connection:
            if (
                only_if_package_seen
                and not connection.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM python_package_version_entity WHERE package_name = :name)"
                    ),
                    {"name": name},
                ).scalar_one()
            ):
                return None
            writer = SetWriter(connection, index_aliases=self.settings.index_aliases)
            index_id = (
                None if url is None else writer.ensure_one(rows.PYTHON_PACKAGE_INDEX([_unseen_index(url)]))
            )
            entity = PythonPackageVersionEntity(
                package_name=name, package_version=version, python_package_index_id=index_id
            )
            entity.id = writer.ensure_one(
                rows.PYTHON_PACKAGE_VERSION_ENTITY(
                    [{"package_name": name, "package_version": version, "python_package_index_id": index_id}]
                ),
            )
            rules = (
                connection.execute(
                    text("SELECT id FROM python_package_version_entity_rule WHERE package_name = :name"),
                    {"name": name},
                )
                .scalars()
                .all()
            )
            if rules:
                _link_rules(writer, [int(rule) for rule in rules], name)
        self.cache_clear()
        return entity, writer.inserted["python_package_version_entity"] == 0

    # Solver rules --------------------------------------------------------------------------------

    def create_python_rule(
        self,
        package_name: str,
        *,
        version_specifier: str | None = None,
        index_url: str | None = None,
        description: str | None = None,
    ) -> GetPythonRuleRow:
        """Create a solver rule (no index: every index), or narrow the rule with the same package, index and
        description by the specifier (the ranges comma-joined); then link it to exactly the package entities
        it covers. The rule as get_python_rule returns it; NotFoundError for an unregistered index."""
        name = normalize.package_name(package_name)
        url = None if index_url is None else normalize.index_url(index_url, self.settings.index_aliases)
        if version_specifier is not None:
            SpecifierSet(version_specifier)  # InvalidSpecifier before anything is written
        with self._connection(begin=True) as connection:
            index_id = _index_id(connection, url)
            writer = SetWriter(connection, index_aliases=self.settings.index_aliases)
            existing = connection.execute(
                text(
                    "SELECT id, version_range FROM python_package_version_entity_rule WHERE package_name = :name "
                    "AND python_package_index_id IS NOT DISTINCT FROM :index AND description IS NOT DISTINCT FROM "
                    "CAST(:description AS text) ORDER BY id LIMIT 1 FOR UPDATE"
                ),
                {"name": name, "index": index_id, "description": description},
            ).first()
            if existing is None:
                rule_id = writer.ensure_one(
                    rows.PYTHON_PACKAGE_VERSION_ENTITY_RULE(
                        [
                            {
                                "package_name": name,
                                "version_range": version_specifier,
                                "python_package_index_id": index_id,
                                "description": description,
                            }
                        ]
                    )
                )
                version_range = version_specifier
            else:
                rule_id, version_range = int(existing[0]), merge_specifiers(existing[1], version_specifier)
                writer.update(
                    rows.PYTHON_PACKAGE_VERSION_ENTITY_RULE, {"id": rule_id}, {"version_range": version_range}
                )
            _link_rules(writer, [rule_id], name)
        self.cache_clear()
        return GetPythonRuleRow(
            id=rule_id, package_name=name, version_range=version_range, description=description, index_url=url
        )


__all__ = ["WritesMixin", "merge_specifiers"]
