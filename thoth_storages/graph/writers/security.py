"""Aggregated security-indicator documents -> si_aggregated_run and si_aggregated.

The analysed package (metadata.arguments["app.py"]: package_name, package_version, package_index) must
have been solved first: its python_package_version with a `solved` row is looked up in one query, and
SolverNotRunError is raised without one. Bandit counts (`SEVERITY.X__CONFIDENCE.Y`) default to 0; the
cloc counts (`Python.*`, `SUM.*`) and the file counts are required by the document schema.
"""

from __future__ import annotations

from generated import rows
from generated.documents import SecurityIndicatorAggregatedDocument

from ...documents import parse_datetime
from ...exceptions import SolverNotRunError
from .. import normalize
from ..bulk import SetWriter


def solved_package(
    writer: SetWriter, name: str, version: str, index_url: str, path: str = "$.metadata.arguments['app.py']"
) -> tuple[int, int]:
    """(entity id, python_package_version id) of a solved package; SolverNotRunError naming the JSON path
    of the package (`path`) if none. Of several solved environments the first by name and version is
    taken (not by id, which depends on the order in which documents arrived)."""
    package_name = normalize.package_name(name)
    package_version = normalize.package_version(version)
    url = normalize.index_url(index_url, writer.index_aliases)
    with writer._cursor() as cursor:
        cursor.execute(
            "SELECT v.entity_id, v.id FROM python_package_version AS v "
            "JOIN python_package_index AS i ON i.id = v.python_package_index_id "
            "WHERE v.package_name = %s AND v.package_version = %s AND i.url = %s "
            "AND EXISTS (SELECT 1 FROM solved AS s WHERE s.version_id = v.id) "
            "ORDER BY v.os_name, v.os_version, v.python_version LIMIT 1",
            (package_name, package_version, url),
        )
        found = cursor.fetchone()
    if found is None:
        raise SolverNotRunError(
            f"{path}: package {package_name!r} in version {package_version!r} from {url!r} was not solved "
            "by any solver"
        )
    return int(found[0]), int(found[1])


def write_security_indicator_aggregated_result(
    writer: SetWriter, document: SecurityIndicatorAggregatedDocument
) -> None:
    """Write one validated aggregated security-indicator document (inside the caller's transaction)."""
    metadata, result = document.metadata, document.result
    writer.document = metadata.document_id
    package = metadata.arguments.app_py
    entity_id, version_id = solved_package(
        writer, package.package_name, package.package_version, package.package_index
    )
    row: rows.SecurityIndicatorAggregatedRunRow = {
        "si_aggregated_run_document_id": metadata.document_id.rsplit("/", 1)[-1],
        "datetime": parse_datetime(metadata.datetime, metadata.document_id, "$.metadata.datetime"),
        "error": bool(document.error),
        "severity_high_confidence_high": result.SEVERITY_HIGH__CONFIDENCE_HIGH or 0,
        "severity_high_confidence_low": result.SEVERITY_HIGH__CONFIDENCE_LOW or 0,
        "severity_high_confidence_medium": result.SEVERITY_HIGH__CONFIDENCE_MEDIUM or 0,
        "severity_high_confidence_undefined": result.SEVERITY_HIGH__CONFIDENCE_UNDEFINED or 0,
        "severity_low_confidence_high": result.SEVERITY_LOW__CONFIDENCE_HIGH or 0,
        "severity_low_confidence_low": result.SEVERITY_LOW__CONFIDENCE_LOW or 0,
        "severity_low_confidence_medium": result.SEVERITY_LOW__CONFIDENCE_MEDIUM or 0,
        "severity_low_confidence_undefined": result.SEVERITY_LOW__CONFIDENCE_UNDEFINED or 0,
        "severity_medium_confidence_high": result.SEVERITY_MEDIUM__CONFIDENCE_HIGH or 0,
        "severity_medium_confidence_low": result.SEVERITY_MEDIUM__CONFIDENCE_LOW or 0,
        "severity_medium_confidence_medium": result.SEVERITY_MEDIUM__CONFIDENCE_MEDIUM or 0,
        "severity_medium_confidence_undefined": result.SEVERITY_MEDIUM__CONFIDENCE_UNDEFINED or 0,
        "number_of_analyzed_files": result.number_of_analyzed_files,
        "number_of_files_total": result.number_of_files_total,
        "number_of_files_with_severities": result.number_of_files_with_severities,
        "number_of_filtered_files": result.number_of_filtered_files,
        "number_of_python_files": result.Python_nFiles,
        "number_of_lines_with_comments_in_python_files": result.Python_comment,
        "number_of_blank_lines_in_python_files": result.Python_blank,
        "number_of_lines_with_code_in_python_files": result.Python_code,
        "total_number_of_files": result.SUM_nFiles,
        "total_number_of_lines": result.SUM_n_lines,
        "total_number_of_lines_with_comments": result.SUM_comment,
        "total_number_of_blank_lines": result.SUM_blank,
        "total_number_of_lines_with_code": result.SUM_code,
    }
    run_id = writer.ensure_one(rows.SI_AGGREGATED_RUN([row]))
    writer.ensure(
        rows.SI_AGGREGATED(
            [
                {
                    "si_aggregated_run_id": run_id,
                    "python_package_version_entity_id": entity_id,
                    "python_package_version_id": version_id,
                }
            ]
        ),
    )
