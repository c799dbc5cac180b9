"""Rows that several run documents share: hardware and software environments, internal or external.

Used by the package-extract, inspection and dependency-monkey writers (and open to the adviser's):
`hardware_row`, `software_environment_row` and `runtime_environment_rows` build rows;
`ensure_runtime_environments` writes any number of (hardware, software environment) pairs with one
`ensure` per table; `external=True` writes the `external_*` twins instead. Software stacks are in
`stacks.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import get_args

from pydantic import BaseModel

from generated import rows
from generated.documents.metadata import RuntimeEnvironment
from generated.models import EnvironmentType

from ...exceptions import SchemaError
from .. import normalize
from ..bulk import SetWriter, ids_in_order

RUNTIME: EnvironmentType = "RUNTIME"
BUILDTIME: EnvironmentType = "BUILDTIME"
ENVIRONMENT_TYPES: tuple[EnvironmentType, ...] = get_args(EnvironmentType)

Hardware = Mapping[str, object] | BaseModel | None


def _as_mapping(value: Hardware) -> Mapping[str, object]:
    if value is None:
        return {}
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    return value


def _integer(source: Mapping[str, object], key: str) -> int | None:
    value = source.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise SchemaError(f"hardware.{key}: expected int, got {value!r}")


def _text(source: Mapping[str, object], key: str, alias: str | None = None) -> str | None:
    value = source.get(key)
    if value is None and alias is not None:
        value = source.get(alias)
    if value is None or isinstance(value, str):
        return value
    raise SchemaError(f"hardware.{key}: expected str, got {value!r}")


def hardware_row(hardware: Hardware) -> rows.HardwareInformationRow:
    """A (external_)hardware_information row; absent keys are NULL (no hardware given: all NULL).

    `gpu_model` (the name Thoth's runtime-environment configuration uses) fills `gpu_model_name` when
    that key itself is absent. Values of the wrong type raise SchemaError naming the key.
    """
    source = _as_mapping(hardware)
    return {
        "cpu_vendor": _integer(source, "cpu_vendor"),
        "cpu_model": _integer(source, "cpu_model"),
        "cpu_cores": _integer(source, "cpu_cores"),
        "cpu_model_name": _text(source, "cpu_model_name"),
        "cpu_family": _integer(source, "cpu_family"),
        "cpu_physical_cpus": _integer(source, "cpu_physical_cpus"),
        "gpu_model_name": _text(source, "gpu_model_name", alias="gpu_model"),
        "gpu_vendor": _text(source, "gpu_vendor"),
        "gpu_cores": _integer(source, "gpu_cores"),
        "gpu_memory_size": _integer(source, "gpu_memory_size"),
        "ram_size": _integer(source, "ram_size"),
    }


def software_environment_row(
    *,
    environment_type: EnvironmentType,
    environment_name: str | None = None,
    python_version: str | None = None,
    image_name: str | None = None,
    image_sha: str | None = None,
    os_name: str | None = None,
    os_version: str | None = None,
    cuda_version: str | None = None,
    thoth_image_name: str | None = None,
    thoth_image_version: str | None = None,
    env_image_name: str | None = None,
    env_image_tag: str | None = None,
) -> rows.SoftwareEnvironmentRow:
    """A (external_)software_environment row; the OS name and version are normalised as the graph stores them."""
    if environment_type not in ENVIRONMENT_TYPES:
        raise SchemaError(
            f"environment type {environment_type!r} is not one of {', '.join(ENVIRONMENT_TYPES)}"
        )
    name = normalize.os_name(os_name) if os_name else None
    version = normalize.os_version(os_name, os_version) if os_name and os_version else os_version
    return {
        "environment_name": environment_name,
        "python_version": python_version,
        "image_name": image_name,
        "image_sha": image_sha,
        "os_name": name,
        "os_version": version,
        "cuda_version": cuda_version,
        "environment_type": environment_type,
        "thoth_image_name": thoth_image_name,
        "thoth_image_version": thoth_image_version,
        "env_image_name": env_image_name,
        "env_image_tag": env_image_tag,
    }


EnvironmentRows = tuple[rows.HardwareInformationRow, rows.SoftwareEnvironmentRow]
"""A runtime environment's hardware row and software environment row (either table: the external
twins have the same columns)."""

_SAME: Hardware = {"<same>": True}


def runtime_environment_rows(
    runtime_environment: RuntimeEnvironment | None,
    environment_type: EnvironmentType,
    *,
    hardware: Hardware = _SAME,
) -> EnvironmentRows:
    """(hardware row, software environment row) of a runtime-environment configuration.

    The hardware is the configuration's own unless `hardware` is given. No image name or digest is
    known for such environments.
    """
    environment = runtime_environment or RuntimeEnvironment()
    operating_system = environment.operating_system
    hardware_row_ = hardware_row(environment.hardware if hardware is _SAME else hardware)
    software_row = software_environment_row(
        environment_type=environment_type,
        environment_name=environment.name,
        python_version=environment.python_version,
        os_name=operating_system.name if operating_system else None,
        os_version=operating_system.version if operating_system else None,
        cuda_version=environment.cuda_version,
    )
    return hardware_row_, software_row


@dataclass(frozen=True)
class EnvironmentIds:
    """Ids of the hardware and software environment rows of one runtime environment."""

    hardware_id: int
    software_environment_id: int


def ensure_runtime_environments(
    writer: SetWriter, pairs: Sequence[EnvironmentRows], *, external: bool = False
) -> list[EnvironmentIds]:
    """Write (hardware row, software environment row) pairs: one `ensure` per table for all of them."""
    hardware_table = rows.EXTERNAL_HARDWARE_INFORMATION if external else rows.HARDWARE_INFORMATION
    software_table = rows.EXTERNAL_SOFTWARE_ENVIRONMENT if external else rows.SOFTWARE_ENVIRONMENT
    hardware = hardware_table(pair[0] for pair in pairs)
    software = software_table(pair[1] for pair in pairs)
    found = writer.ensure_many(hardware, software)
    hardware_ids = ids_in_order(found[hardware.table.name], hardware.table.name, hardware.rows)
    environment_ids = ids_in_order(found[software.table.name], software.table.name, software.rows)
    return [EnvironmentIds(h, e) for h, e in zip(hardware_ids, environment_ids, strict=True)]


__all__ = [
    "BUILDTIME",
    "ENVIRONMENT_TYPES",
    "RUNTIME",
    "EnvironmentIds",
    "ensure_runtime_environments",
    "hardware_row",
    "runtime_environment_rows",
    "software_environment_row",
]
