"""Kebechet GitHub-app installations: what schema/queries/kebechet.yaml cannot declare (hand-written).

The writer that turns a repository's configuration files (`.thoth.yaml`, Pipfile, Pipfile.lock) into
installations; the readings and the installation upsert are declared (schema/queries/kebechet.yaml,
`create_github_app_installation` in schema/queries/writes.yaml).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence

from pydantic import ValidationError
from sqlalchemy import text

from generated import rows
from generated.documents.metadata import Pipfile, PipfileLock, RuntimeEnvironment

from ..exceptions import SchemaError
from .adapter import AdapterBase
from .bulk import SetWriter
from .writers.environments import RUNTIME, ensure_runtime_environments, runtime_environment_rows
from .writers.stacks import ExternalStack, ensure_stacks

_LOGGER = logging.getLogger(__name__)

MANAGERS = (
    "info_manager",
    "pipfile_requirements_manager",
    "thoth_advise_manager",
    "thoth_provenance_manager",
    "update_manager",
    "version_manager",
)


def _installation_row(
    slug: str,
    runtime_environment_name: str | None,
    *,
    repo_name: str,
    private: bool,
    installation_id: str,
    is_active: bool,
    managers: Collection[str] = (),
    stack_id: int | None = None,
    environment_id: int | None = None,
) -> rows.KebechetGithubAppInstallationsRow:
    """An installation's row; the managers named in `managers` enabled (MANAGERS are the columns)."""
    return {
        "slug": slug,
        "runtime_environment_name": runtime_environment_name,
        "repo_name": repo_name,
        "private": private,
        "installation_id": installation_id,
        "is_active": is_active,
        "info_manager": "info_manager" in managers,
        "pipfile_requirements_manager": "pipfile_requirements_manager" in managers,
        "thoth_advise_manager": "thoth_advise_manager" in managers,
        "thoth_provenance_manager": "thoth_provenance_manager" in managers,
        "update_manager": "update_manager" in managers,
        "version_manager": "version_manager" in managers,
        "external_python_software_stack_id": stack_id,
        "external_software_environment_id": environment_id,
    }


def manager_column(kebechet_manager: str) -> str:
    """The flag column of a manager: `info`, `info_manager` and `INFO` all name info_manager."""
    name = kebechet_manager.lower()
    column = name if name.endswith("_manager") else f"{name}_manager"
    if column not in MANAGERS:
        raise ValueError(f"unknown Kebechet manager {kebechet_manager!r}; known: {', '.join(MANAGERS)}")
    return column


class KebechetMixin(AdapterBase):
    """Kebechet methods of GraphDatabase."""

    def update_kebechet_installation_using_files(
        self,
        slug: str,
        installation_id: str,
        requirements: Mapping[str, object] | None = None,
        requirements_lock: Mapping[str, object] | None = None,
        thoth_config: Mapping[str, object] | None = None,
        runtime_environment_name: str | None = None,
        private: bool = False,
    ) -> int:
        """Record what a repository's files say about its Kebechet installations, in one transaction.

        One installation per runtime environment of `.thoth.yaml` (`thoth_config`; only the one named
        `runtime_environment_name` when given, ValueError when the configuration has none of that name;
        none, or no config: the repository's unnamed installation), each with that environment (an
        external software environment), the Pipfile / Pipfile.lock stack (an external stack; None without
        a Pipfile), the managers the configuration lists, the installation id, `private`, and active. The
        number of installations written.
        """
        config = thoth_config or {}
        managers = _configured_managers(config)
        environments = _runtime_environments(config)
        if runtime_environment_name is not None:
            environments = [e for e in environments if e.name == runtime_environment_name]
            if not environments:
                raise ValueError(
                    f"no runtime environment {runtime_environment_name!r} in the Thoth configuration"
                )
        pipfile = None if requirements is None else _model(Pipfile, requirements, "Pipfile")
        lock = None if requirements_lock is None else _model(PipfileLock, requirements_lock, "Pipfile.lock")
        assert pipfile is None or isinstance(pipfile, Pipfile)
        assert lock is None or isinstance(lock, PipfileLock)
        with self._connection(begin=True) as connection:
            writer = SetWriter(connection, index_aliases=self.settings.index_aliases)
            environment_ids: list[int | None] = (
                [
                    ids.software_environment_id
                    for ids in ensure_runtime_environments(
                        writer, [runtime_environment_rows(e, RUNTIME) for e in environments], external=True
                    )
                ]
                if environments
                else [None]
            )
            names = [e.name for e in environments] if environments else [None]
            stack = (
                ensure_stacks(writer, external=[ExternalStack(pipfile, lock, "$")]).external[0]
                if pipfile is not None
                else None
            )
            values: dict[str, object] = {
                "installation_id": installation_id,
                "is_active": True,
                "private": private,
                "external_python_software_stack_id": stack,
                **{column: column in managers for column in MANAGERS},
            }
            writer.ensure(
                rows.KEBECHET_GITHUB_INSTALLATIONS(
                    _installation_row(
                        slug,
                        name,
                        repo_name=slug.rstrip("/").rsplit("/", 1)[-1],
                        private=private,
                        installation_id=installation_id,
                        is_active=True,
                        managers=managers,
                        stack_id=stack,
                        environment_id=environment_id,
                    )
                    for name, environment_id in zip(names, environment_ids, strict=True)
                ),
            )
            assignments = ", ".join(f"{column} = :{column}" for column in values)
            connection.execute(
                text(
                    f"UPDATE kebechet_github_installations k SET {assignments}, "
                    "external_software_environment_id = u.environment FROM unnest(CAST(:names AS text[]), "
                    "CAST(:environments AS integer[])) AS u(name, environment) "
                    "WHERE k.slug = :slug AND k.runtime_environment_name IS NOT DISTINCT FROM u.name"
                ),
                {**values, "slug": slug, "names": names, "environments": environment_ids},
            )
        self.cache_clear()
        return len(names)


def _model(
    model: type[Pipfile] | type[PipfileLock] | type[RuntimeEnvironment], value: object, what: str
) -> object:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise SchemaError(f"{what}: {error}") from None


def _configured_managers(thoth_config: Mapping[str, object]) -> set[str]:
    """The flag columns of the managers `.thoth.yaml` lists (unknown names are logged and skipped)."""
    found = set()
    managers = thoth_config.get("managers") or []
    for entry in managers if isinstance(managers, Sequence) else []:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        try:
            found.add(manager_column(str(name)))
        except ValueError:
            _LOGGER.warning("ignoring Kebechet manager %r of .thoth.yaml", name)
    return found


def _runtime_environments(thoth_config: Mapping[str, object]) -> list[RuntimeEnvironment]:
    environments = thoth_config.get("runtime_environments") or []
    if not isinstance(environments, Sequence) or isinstance(environments, str):
        raise SchemaError(".thoth.yaml: runtime_environments: a list expected")
    found = []
    for position, environment in enumerate(environments):
        model = _model(RuntimeEnvironment, environment, f".thoth.yaml: runtime_environments[{position}]")
        assert isinstance(model, RuntimeEnvironment)
        found.append(model)
    return found


__all__ = [
    "KebechetMixin",
    "manager_column",
]
