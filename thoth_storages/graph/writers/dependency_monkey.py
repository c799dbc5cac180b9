"""Dependency-monkey reports -> environments, the run, its requirements and PENDING inspection placeholders.

Tables, parents first: hardware_information, software_environment (RUNTIME and BUILDTIME, both from the
project's runtime environment), dependency_monkey_run, python_package_index (indexes the Pipfile names),
python_package_requirement, python_dependency_monkey_requirements, and `count` PENDING inspection_run rows
per inspection the run submitted (results 0..count-1), which the inspection writer completes when the
results arrive. A report with an `ERROR` key (a failed run) writes nothing.
"""

from __future__ import annotations

import logging

from generated import rows
from generated.documents import DependencyMonkeyDocument

from ...documents import parse_datetime
from ...exceptions import SchemaError
from ..bulk import SetWriter
from .environments import BUILDTIME, RUNTIME, ensure_runtime_environments, runtime_environment_rows
from .stacks import ensure_indexes, requirements_of

_LOGGER = logging.getLogger(__name__)


def write_dependency_monkey_result(writer: SetWriter, document: DependencyMonkeyDocument) -> None:
    """Write one validated dependency-monkey report (inside the caller's transaction)."""
    metadata, result = document.metadata, document.result
    writer.document = metadata.document_id
    document_id = metadata.document_id.rsplit("/", 1)[-1]
    report = result.report
    if "ERROR" in report.model_fields_set:
        _LOGGER.warning(
            "%s: the dependency-monkey run failed (report has ERROR); nothing to sync", document_id
        )
        return
    parameters = result.parameters
    if not parameters.decision_type:
        raise SchemaError(
            f"{document_id}: $.result.parameters.decision_type: missing (the run's decision type)"
        )
    runtime_environment = parameters.project.runtime_environment
    run, build = ensure_runtime_environments(
        writer,
        [
            runtime_environment_rows(runtime_environment, RUNTIME),
            runtime_environment_rows(runtime_environment, BUILDTIME),
        ],
    )
    run_id = writer.ensure_one(
        rows.DEPENDENCY_MONKEY_RUN(
            [
                {
                    "dependency_monkey_document_id": document_id,
                    "datetime": parse_datetime(
                        metadata.datetime, metadata.document_id, "$.metadata.datetime"
                    ),
                    "dependency_monkey_name": metadata.analyzer,
                    "dependency_monkey_version": metadata.analyzer_version,
                    "seed": parameters.seed,
                    "decision": parameters.decision_type,
                    "count": parameters.count,
                    "limit_latest_versions": parameters.limit_latest_versions,
                    "debug": metadata.arguments.thoth_adviser.verbose,
                    "dependency_monkey_error": result.error,
                    "duration": metadata.duration,
                    "run_software_environment_id": run.software_environment_id,
                    "build_software_environment_id": build.software_environment_id,
                    "run_hardware_information_id": run.hardware_id,
                    "build_hardware_information_id": build.hardware_id,
                }
            ]
        ),
    )
    requirements = requirements_of(
        parameters.project.requirements, f"{document_id}: $.result.parameters.project.requirements"
    )
    index_ids = ensure_indexes(writer, [r.index_url for r in requirements])
    requirement_ids = writer.ensure_ids(
        rows.PYTHON_PACKAGE_REQUIREMENT(
            [
                {
                    "name": r.name,
                    "version_range": r.version_range,
                    "develop": r.develop,
                    "python_package_index_id": index_ids[r.index_url] if r.index_url is not None else None,
                }
                for r in requirements
            ]
        ),
    )
    writer.ensure(
        rows.PYTHON_DEPENDENCY_MONKEY_REQUIREMENTS(
            [
                {"python_package_requirement_id": i, "dependency_monkey_run_id": run_id}
                for i in requirement_ids
            ]
        ),
    )
    _placeholders(writer, document, run_id)


def _placeholders(writer: SetWriter, document: DependencyMonkeyDocument, run_id: int) -> None:
    """`count` PENDING inspection_run rows per submitted inspection; results synced earlier get the run
    link (`ensure` fills it where it is NULL; a result keeps the run that reached it first)."""
    inspections = sorted({response.response for response in document.result.report.responses or []})
    keys = [
        (inspection, number)
        for inspection in inspections
        for number in range(document.result.parameters.count)
    ]
    writer.ensure(
        rows.INSPECTION_RUN(
            [
                {
                    "inspection_document_id": inspection,
                    "inspection_result_number": number,
                    "inspection_sync_state": "PENDING",
                    "dependency_monkey_run_id": run_id,
                }
                for inspection, number in keys
            ]
        ),
    )
