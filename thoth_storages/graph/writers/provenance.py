"""Provenance-checker documents -> the user's stack, provenance_checker_run, entities of missing packages.

What is written (reference §3.1, provenance-checker), parents first: in one `stacks.ensure_stacks` call
(shared with the adviser writer) the user's stack from the checked Pipfile and Pipfile.lock and a package
entity (name, version, index) for every `MISSING-PACKAGE` report entry, its index registered disabled
when unknown; then the provenance_checker_run.
"""

from __future__ import annotations

from generated import rows
from generated.documents.provenance_checker import ProvenanceCheckerDocument

from ...documents import parse_datetime
from ...exceptions import SchemaError
from .. import normalize
from ..bulk import SetWriter
from .stacks import ExternalStack, UrlEntityKey, document_base_id, ensure_stacks

MISSING_PACKAGE = "MISSING-PACKAGE"


def write_provenance_checker_result(writer: SetWriter, document: ProvenanceCheckerDocument) -> None:
    """Write one validated provenance-checker document (inside the caller's transaction)."""
    metadata = document.metadata
    writer.document = metadata.document_id
    result = document.result
    cli = metadata.arguments.thoth_adviser
    project = result.parameters.project
    missing: list[UrlEntityKey] = []
    for position, entry in enumerate(result.report or []):
        if entry.id != MISSING_PACKAGE:
            continue
        if not entry.package_name:
            raise SchemaError(
                f"{metadata.document_id}: $.result.report[{position}].package_name: "
                f"a {MISSING_PACKAGE} entry names its package"
            )
        version = entry.package_version.lstrip("=").strip() if entry.package_version else None
        missing.append(
            (
                normalize.package_name(entry.package_name),
                normalize.package_version(version) if version else None,
                entry.source.url if entry.source else None,
            )
        )
    stacks = ensure_stacks(
        writer,
        external=[
            ExternalStack(project.requirements, project.requirements_locked, "$.result.parameters.project")
        ],
        entities=missing,
    )
    writer.ensure(
        rows.PROVENANCE_CHECKER_RUN(
            [
                {
                    "provenance_checker_document_id": document_base_id(metadata.document_id),
                    "datetime": parse_datetime(
                        metadata.datetime, metadata.document_id, "$.metadata.datetime"
                    ),
                    "provenance_checker_version": metadata.analyzer_version,
                    "provenance_checker_name": metadata.analyzer,
                    "origin": cli.metadata.origin if cli.metadata else None,
                    "debug": cli.verbose,
                    "provenance_checker_error": result.error,
                    "duration": metadata.duration,
                    "user_software_stack_id": stacks.external[0],
                }
            ]
        ),
    )
