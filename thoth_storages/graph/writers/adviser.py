"""Adviser documents -> the user's environment and stack, adviser_run, advised stacks, unresolved, Kebechet.

What is written (reference §3.1, adviser), parents first, one `ensure` per table:

1. external_hardware_information and external_software_environment (RUNTIME) of the project's runtime
   environment;
2. in one `stacks.ensure_stacks` call: the user's stack from the project's Pipfile and Pipfile.lock, an
   internal ADVISED python_software_stack for every report product with a lock (its lock pins versions
   of the runtime environment), and the entities of `report._ERROR_DETAILS.unresolved`;
3. adviser_run; when the report is empty or missing, nothing more;
4. the `advised` and `has_unresolved` edges of the run;
5. a re-run that resolved everything clears `need_re_run` of the run it re-ran, and a Kebechet run
   updates its installation (last run, advise manager, advised stack).
"""

from __future__ import annotations

import datetime
from typing import cast, get_args

from pydantic import BaseModel

from generated import rows
from generated.documents.adviser import AdviserDocument, AdviserProduct, AdviserRunMetadata
from generated.models import RecommendationType, RequirementsFormat, SourceType

from ...documents import parse_datetime
from ...exceptions import SchemaError
from .. import normalize
from ..bulk import SetWriter
from .environments import RUNTIME, ensure_runtime_environments, runtime_environment_rows
from .stacks import ExternalStack, InternalStack, PackageEnvironment, document_base_id, ensure_stacks

_SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)
_PROJECT = "$.result.parameters.project"


def _given(model: BaseModel | None) -> bool:
    """True for a model that was given with at least one key (the original's truthiness of a dict)."""
    return model is not None and bool(model.model_dump(exclude_unset=True))


def _performance_score(product: AdviserProduct) -> float | None:
    """The last `performance_score` among the product's justification entries (the original's rule)."""
    score = None
    for entry in product.justification or []:
        if "performance_score" in entry.model_fields_set:
            score = entry.performance_score
    return score


def write_adviser_result(writer: SetWriter, document: AdviserDocument) -> None:
    """Write one validated adviser document (inside the caller's transaction)."""
    metadata = document.metadata
    writer.document = metadata.document_id
    result = document.result
    parameters = result.parameters
    project = parameters.project
    cli = metadata.arguments.thoth_adviser
    run_metadata = cli.metadata or AdviserRunMetadata()
    source_type = (run_metadata.source_type or "").upper()
    source_type_label = next((label for label in _SOURCE_TYPES if label == source_type), None)
    run_datetime = parse_datetime(metadata.datetime, metadata.document_id, "$.metadata.datetime")

    hardware, software_environment = runtime_environment_rows(project.runtime_environment, RUNTIME)
    (environment,) = ensure_runtime_environments(writer, [(hardware, software_environment)], external=True)
    report = result.report if _given(result.report) else None
    errors = report.field_ERROR_DETAILS if report is not None else None
    unresolved = _normalized(errors.unresolved or []) if errors is not None else []
    advised = [
        InternalStack(
            requirements=product.project.requirements,
            lock=product.project.requirements_locked,
            path=f"$.result.report.products[{position}].project",
            software_stack_type="ADVISED",
            performance_score=_performance_score(product),
            overall_score=product.score,
        )
        for position, product in enumerate(report.products or [] if report is not None else [])
        if product.project is not None and _given(product.project.requirements_locked)
    ]
    stacks = ensure_stacks(
        writer,
        external=[ExternalStack(project.requirements, project.requirements_locked, _PROJECT)],
        internal=advised,
        environment=_package_environment(document, software_environment) if advised else None,
        entities=[(name, None, None) for name in unresolved],
    )
    run_id = writer.ensure_one(
        rows.ADVISER_RUN(
            [
                {
                    "adviser_document_id": document_base_id(metadata.document_id),
                    "datetime": run_datetime,
                    "adviser_version": metadata.analyzer_version,
                    "adviser_name": metadata.analyzer,
                    "count": parameters.count,
                    "limit": parameters.limit,
                    "origin": run_metadata.origin,
                    "source_type": source_type_label,
                    "is_s2i": run_metadata.is_s2i,
                    "debug": bool(cli.verbose),
                    "need_re_run": bool(unresolved),
                    "re_run_adviser_id": run_metadata.re_run_adviser_id,
                    "limit_latest_versions": parameters.limit_latest_versions,
                    "adviser_error": result.error,
                    # Labels as the document spells them: row_checks refuses one the enum lacks, naming
                    # the column.
                    "recommendation_type": cast(RecommendationType, parameters.recommendation_type.upper()),
                    "requirements_format": cast(RequirementsFormat, parameters.requirements_format.upper()),
                    "duration": metadata.duration,
                    "advised_configuration_changes": bool(result.advised_configuration),
                    "additional_stack_info": bool(result.stack_info),
                    "user_software_stack_id": stacks.external[0],
                    "external_run_software_environment_id": environment.software_environment_id,
                    "external_build_software_environment_id": None,
                    "external_hardware_information_id": environment.hardware_id,
                }
            ]
        ),
    )
    if report is None:
        return

    if run_metadata.re_run_adviser_id and not unresolved:
        # This re-run resolved everything: the run it re-ran needs no further re-run.
        writer.update(
            rows.ADVISER_RUN,
            {"adviser_document_id": run_metadata.re_run_adviser_id, "need_re_run": True},
            {"need_re_run": False},
        )

    writer.ensure(
        rows.ADVISED(
            [{"adviser_run_id": run_id, "python_software_stack_id": stack_id} for stack_id in stacks.internal]
        ),
    )

    writer.ensure(
        rows.HAS_UNRESOLVED(
            [
                {"adviser_run_id": run_id, "python_package_version_entity_id": i}
                for i in stacks.entities.values()
            ]
        ),
    )

    if source_type_label == "KEBECHET" and stacks.internal and run_metadata.origin:
        _update_kebechet(writer, document, run_metadata.origin, run_datetime, stacks.internal[0])


def _normalized(names: list[str]) -> list[str]:
    return sorted({normalize.package_name(name) for name in names})


def _package_environment(document: AdviserDocument, row: rows.SoftwareEnvironmentRow) -> PackageEnvironment:
    """The runtime environment that advised locks pin versions of (its OS and Python must be known)."""
    os_name, os_version, python_version = row["os_name"], row["os_version"], row["python_version"]
    if not (isinstance(os_name, str) and isinstance(os_version, str) and isinstance(python_version, str)):
        raise SchemaError(
            f"{document.metadata.document_id}: {_PROJECT}.runtime_environment: advised stacks need the "
            "operating system name and version and the Python version"
        )
    return PackageEnvironment(os_name, os_version, python_version)


def _update_kebechet(
    writer: SetWriter, document: AdviserDocument, origin: str, run_datetime: datetime.datetime, stack_id: int
) -> None:
    """Record the advise on the repository's Kebechet installation (only one newer than its last run).

    The installation is the one of the runtime environment's name, or the repository's unnamed one when
    none has that name; installations are created by Kebechet itself, never here.
    """
    slug = "/".join(origin.rstrip("/").split("/")[-2:])
    runtime = document.result.parameters.project.runtime_environment
    with writer._cursor() as cursor:
        cursor.execute(
            "UPDATE kebechet_github_installations SET last_run = %(run)s, thoth_advise_manager = true, "
            "advised_python_software_stack_id = %(stack)s "
            "WHERE slug = %(slug)s AND (last_run IS NULL OR last_run <= %(run)s) "
            "AND runtime_environment_name IS NOT DISTINCT FROM (SELECT CASE WHEN EXISTS ("
            "SELECT 1 FROM kebechet_github_installations WHERE slug = %(slug)s "
            "AND runtime_environment_name = %(name)s) THEN %(name)s::text END)",
            {"run": run_datetime, "stack": stack_id, "slug": slug, "name": runtime.name},
        )
