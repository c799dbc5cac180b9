"""Amun inspection results -> hardware, environments, inspected stack, inspection_run, one performance row.

An inspection is stored as a build specification plus numbered results; the sync writes one result at a
time as `{document_id, result_number, specification, result}` (`InspectionDocument`). Tables, parents
first: hardware_information, software_environment (run and build), the INSPECTION python_software_stack
(with its requirement and lock tables, see stacks.py) when the specification has `python`,
inspection_run (inserted SYNCED; a PENDING placeholder that a dependency-monkey run made for this id and
number is completed and set SYNCED), and the pi_* row of the indicator the result names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from generated import rows
from generated.documents import InspectionResult, InspectionSpecification
from generated.models import PERFORMANCE_MODEL_BY_NAME
from generated.rows import ROW_TABLES, RowTable

from ...documents import DocumentValidationError, parse_datetime, validate_document
from ...exceptions import PerformanceIndicatorNotRegisteredError, SchemaError
from ..bulk import SetWriter
from .environments import BUILDTIME, RUNTIME, ensure_runtime_environments, runtime_environment_rows
from .stacks import InternalStack, PackageEnvironment, ensure_internal_stacks

_LOGGER = logging.getLogger(__name__)

_CPU = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<milli>m?)$")
_MEMORY = re.compile(r"^(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?P<unit>[KMGTPE]i|[kKMGTPE]|m)?$")
_UNITS = {"": 1.0, "m": 1e-3, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_UNITS.update({f"{prefix}i": 1024.0 ** (power + 1) for power, prefix in enumerate("KMGTPE")})
_GIB = 1024.0**3
# Columns of every pi_* table that the indicator's own keys may not set: identity and the shared mixin.
_RESERVED = frozenset(
    ["id", "inspection_run_id", "component", "origin", "version", "overall_score", "exit_code"]
    + [f"ru_{name}" for name in ("utime", "stime", "maxrss", "ixrss", "idrss", "isrss", "minflt", "majflt")]
    + [
        f"ru_{name}"
        for name in ("nswap", "inblock", "oublock", "msgsnd", "msgrcv", "nsignals", "nvcsw", "nivcsw")
    ]
)


def parse_cpu(value: str | float, document_id: str | None = None, path: str = "$") -> float:
    """A Kubernetes CPU request in cores: `2` -> 2.0, `500m` -> 0.5 (errors name the document and path)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _CPU.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise DocumentValidationError(
            document_id, path, f"CPU request {value!r}: expected cores such as '2', '0.5' or '500m'"
        )
    return float(match["number"]) / (1000 if match["milli"] else 1)


def parse_memory(value: str | float, document_id: str | None = None, path: str = "$") -> float:
    """A Kubernetes memory request in GiB: `8Gi` -> 8.0, `512Mi` -> 0.5, `1G` -> 0.93..., `1073741824` -> 1.0
    (errors name the document and path)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / _GIB
    match = _MEMORY.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise DocumentValidationError(
            document_id, path, f"memory request {value!r}: expected a quantity such as '4Gi', '512Mi' or '1G'"
        )
    return float(match["number"]) * _UNITS[match["unit"] or ""] / _GIB


@dataclass(frozen=True)
class InspectionDocument:
    """One result of an Amun inspection with the inspection's build specification."""

    document_id: str
    result_number: int
    specification: InspectionSpecification
    result: InspectionResult

    @classmethod
    def from_mapping(cls, document: Mapping[str, object]) -> InspectionDocument:
        """Validate `{document_id, result_number, specification, result}` (SchemaError naming the inspection)."""
        document_id = document.get("document_id")
        if not isinstance(document_id, str) or not document_id:
            raise SchemaError(
                f"inspection: $.document_id: a non-empty inspection id expected, got {document_id!r}"
            )
        number = document.get("result_number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise SchemaError(
                f"{document_id}: $.result_number: a result number >= 0 expected, got {number!r}"
            )
        parts: dict[str, Mapping[str, object]] = {}
        for key in ("specification", "result"):
            part = document.get(key)
            if not isinstance(part, Mapping):
                raise SchemaError(
                    f"{document_id}: $.{key}: the inspection's {key} (a JSON object) is missing"
                )
            parts[key] = part
        specification = validate_document(
            parts["specification"],
            "inspection-specification",
            document_id=f"{document_id}/build/specification",
        )
        result = validate_document(
            parts["result"], "inspection-result", document_id=f"{document_id}/results/{number}/result"
        )
        return cls(document_id, number, specification, result)


class _InspectionWrite:
    def __init__(self, writer: SetWriter, document: InspectionDocument) -> None:
        self.writer = writer
        self.document = document
        self.name = f"{document.document_id}/results/{document.result_number}"
        writer.document = self.name

    def run(self) -> None:
        specification, result = self.document.specification, self.document.result
        performance = self._performance_table()  # checked first: an unknown indicator writes nothing
        run_rows = runtime_environment_rows(result.runtime_environment, RUNTIME)
        build_rows = runtime_environment_rows(
            result.runtime_environment, BUILDTIME, hardware=specification.build.requests.hardware or {}
        )
        run, build = ensure_runtime_environments(self.writer, [run_rows, build_rows])
        stack_id = self._stack(run_rows[1])
        created = specification.field_created
        spec = f"{self.document.document_id}/build/specification"
        key = {
            "inspection_document_id": self.document.document_id,
            "inspection_result_number": self.document.result_number,
        }
        row: rows.InspectionRunRow = {
            "inspection_document_id": self.document.document_id,
            "inspection_result_number": self.document.result_number,
            "inspection_sync_state": "SYNCED",
            "datetime": parse_datetime(created, spec, "$['@created']") if created else None,
            "amun_version": None,
            "build_requests_cpu": parse_cpu(specification.build.requests.cpu, spec, "$.build.requests.cpu"),
            "build_requests_memory": parse_memory(
                specification.build.requests.memory, spec, "$.build.requests.memory"
            ),
            "run_requests_cpu": parse_cpu(specification.run.requests.cpu, spec, "$.run.requests.cpu"),
            "run_requests_memory": parse_memory(
                specification.run.requests.memory, spec, "$.run.requests.memory"
            ),
            "build_hardware_information_id": build.hardware_id,
            "run_hardware_information_id": run.hardware_id,
            "build_software_environment_id": build.software_environment_id,
            "run_software_environment_id": run.software_environment_id,
            "inspection_software_stack_id": stack_id,
        }
        inserted = self.writer.inserted["inspection_run"]
        run_id = self.writer.ensure_one(rows.INSPECTION_RUN([row]))
        if self.writer.inserted["inspection_run"] == inserted:
            # Found, not inserted: a dependency-monkey placeholder, which `ensure` completed (NULL
            # columns filled, its run link kept): mark it synced.
            self.writer.update(
                rows.INSPECTION_RUN,
                {**key, "inspection_sync_state": "PENDING"},
                {"inspection_sync_state": "SYNCED"},
            )
        if performance is not None:
            self.writer.add(performance([self._performance_row(performance.table, run_id)]))

    def _stack(self, run_environment: rows.SoftwareEnvironmentRow) -> int | None:
        python = self.document.specification.python
        if python is None:
            return None
        environment = [run_environment.get(c) for c in ("os_name", "os_version", "python_version")]
        if python.requirements_locked is not None and not all(isinstance(v, str) for v in environment):
            raise SchemaError(
                f"{self.name}: $.runtime_environment: the operating system and Python version are needed to "
                "store the inspected lock"
            )
        os_name, os_version, python_version = (v if isinstance(v, str) else "" for v in environment)
        stack = InternalStack(
            python.requirements, python.requirements_locked, f"{self.name}: $.python", "INSPECTION"
        )
        (stack_id,) = ensure_internal_stacks(
            self.writer, [stack], PackageEnvironment(os_name, os_version, python_version)
        )
        return stack_id

    def _performance_table(self) -> RowTable[Any, Any] | None:
        """The pi_* table of the result's indicator; None when no job ran (the specification has no script)."""
        if not self.document.specification.script:
            return None
        stdout = self.document.result.stdout
        if not stdout.model_dump(exclude_unset=True):
            raise SchemaError(f"{self.name}: $.stdout: empty, the inspection job reported nothing")
        model = PERFORMANCE_MODEL_BY_NAME.get(stdout.name or "")
        if model is None:
            raise PerformanceIndicatorNotRegisteredError(
                f"{self.name}: $.stdout.name: no performance indicator {stdout.name!r} "
                f"(known: {', '.join(sorted(PERFORMANCE_MODEL_BY_NAME))})"
            )
        if stdout.field_result is None:
            raise SchemaError(f"{self.name}: $.stdout['@result']: missing, the indicator reported no result")
        return ROW_TABLES[str(model.__tablename__)]

    def _performance_row(self, table: Table, run_id: int) -> dict[str, object]:
        """The indicator's row: its columns are the document's (`@parameters`, `@result`), so the row is
        checked here against the table (`_typed`, required columns) rather than by a row type."""
        result, stdout = self.document.result, self.document.result.stdout
        extra = stdout.model_extra or {}
        version = extra.get("version") or result.script_sha256
        row: dict[str, object] = {
            "inspection_run_id": run_id,
            "component": stdout.component,
            "origin": self.document.specification.script,
            "version": version,
            "overall_score": extra.get("overall_score"),
            "exit_code": result.exit_code,
            **result.usage.model_dump(),
        }
        parameters, measured = stdout.field_parameters or {}, stdout.field_result or {}
        collisions = sorted(set(parameters) & set(measured))
        if collisions:
            raise SchemaError(
                f"{self.name}: $.stdout: {', '.join(collisions)} named both in @parameters and in @result"
            )
        for section, values in (("@parameters", parameters), ("@result", measured)):
            for name, value in values.items():
                path = f"{self.name}: $.stdout['{section}'].{name}"
                if name in _RESERVED:
                    raise SchemaError(f"{path}: the indicator may not set the {table.name}.{name} column")
                if name not in table.c:
                    _LOGGER.warning("%s: %s has no such column; value %r not stored", path, table.name, value)
                    continue
                row[name] = _typed(path, table, name, value)
        missing = sorted(
            c.name for c in table.c if not c.nullable and row.get(c.name) is None and c.name != "id"
        )
        if missing:
            raise SchemaError(f"{self.name}: $.stdout: {table.name} needs {', '.join(missing)}, not reported")
        return row


def _typed(path: str, table: Table, name: str, value: object) -> object:
    """`value` checked against the column's type (an int fits a float column); SchemaError otherwise."""
    kind = table.c[name].type.python_type
    if isinstance(value, bool) or not (isinstance(value, kind) or (kind is float and isinstance(value, int))):
        raise SchemaError(f"{path}: {value!r} does not fit column {table.name}.{name} ({kind.__name__})")
    return float(value) if kind is float and isinstance(value, int) else value


def write_inspection_result(writer: SetWriter, document: InspectionDocument) -> None:
    """Write one inspection result (inside the caller's transaction)."""
    _InspectionWrite(writer, document).run()
