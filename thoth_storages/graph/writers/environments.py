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

from pydantic import BaseModel

from generated.documents.metadata import RuntimeEnvironment

from ...exceptions import SchemaError
from .. import normalize
from ..bulk import Row, SetWriter, ids_in_order

RUNTIME = "RUNTIME"
BUILDTIME = "BUILDTIME"
ENVIRONMENT_TYPES = (RUNTIME, BUILDTIME)

HARDWARE_COLUMNS = (
    "cpu_vendor",
    "cpu_model",
    "cpu_cores",
    "cpu_model_name",
    "cpu_family",
    "cpu_physical_cpus",
    "gpu_model_name",
    "gpu_vendor",
    "gpu_cores",
    "gpu_memory_size",
    "ram_size",
)
_INTEGER_HARDWARE = frozenset(HARDWARE_COLUMNS) - {"cpu_model_name", "gpu_model_name", "gpu_vendor"}

Hardware = Mapping[str, object] | BaseModel | None


def _as_mapping(value: Hardware) -> Mapping[str, object]:
    if value is None:
        return {}
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    return value


def hardware_row(hardware: Hardware) -> Row:
    """A (external_)hardware_information row; absent keys are NULL (no hardware given: all NULL).

    `gpu_model` (the name Thoth's runtime-environment configuration uses) fills `gpu_model_name` when
    that key itself is absent. Values of the wrong type raise SchemaError naming the key.
    """
    source = _as_mapping(hardware)
    row: dict[str, object] = {}
    for column in HARDWARE_COLUMNS:
        value = source.get(column)
        if value is None and column == "gpu_model_name":
            value = source.get("gpu_model")
        if value is not None:
            expected: type = int if column in _INTEGER_HARDWARE else str
            if not isinstance(value, expected) or isinstance(value, bool):
                raise SchemaError(f"hardware.{column}: expected {expected.__name__}, got {value!r}")
        row[column] = value
    return row


def software_environment_row(
    *,
    environment_type: str,
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
) -> Row:
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


_SAME: Hardware = {"<same>": True}


def runtime_environment_rows(
    runtime_environment: RuntimeEnvironment | None, environment_type: str, *, hardware: Hardware = _SAME
) -> tuple[Row, Row]:
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
    writer: SetWriter, pairs: Sequence[tuple[Row, Row]], *, external: bool = False
) -> list[EnvironmentIds]:
    """Write (hardware row, software environment row) pairs: one `ensure` per table for all of them."""
    prefix = "external_" if external else ""
    hardware, software = f"{prefix}hardware_information", f"{prefix}software_environment"
    found = writer.ensure_many({hardware: [pair[0] for pair in pairs], software: [pair[1] for pair in pairs]})
    hardware_ids = ids_in_order(found[hardware], hardware, [pair[0] for pair in pairs])
    environment_ids = ids_in_order(found[software], software, [pair[1] for pair in pairs])
    return [EnvironmentIds(h, e) for h, e in zip(hardware_ids, environment_ids, strict=True)]


__all__ = [
    "BUILDTIME",
    "ENVIRONMENT_TYPES",
    "HARDWARE_COLUMNS",
    "RUNTIME",
    "EnvironmentIds",
    "ensure_runtime_environments",
    "hardware_row",
    "runtime_environment_rows",
    "software_environment_row",
]
