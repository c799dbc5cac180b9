"""thoth-storages: typed, code-generated storage layer of the Thoth knowledge graph.

Public names are imported on first use, so that light modules (configuration, exceptions) can be
imported without loading the database and document layers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .documents import validate_document
    from .graph import GraphDatabase
    from .s3 import (
        RESULT_SCHEMA,
        AdvisersCacheStore,
        AdvisersResultsStore,
        AnalysesCacheStore,
        AnalysisByDigest,
        AnalysisResultsStore,
        BuildLogsAnalysesCacheStore,
        BuildLogsParsedResultsStore,
        BuildLogsStore,
        CephStore,
        DependencyMonkeyReportsStore,
        DependencyMonkeyRequestsStore,
        GraphBackupStore,
        InspectionBuildsStore,
        InspectionResultsStore,
        InspectionStore,
        ProvenanceCacheStore,
        ProvenanceResultsStore,
        SecurityIndicatorsResultsStore,
        SIAggregatedStore,
        SIBanditStore,
        SIClocStore,
        SolverResultsStore,
        WorkflowLogsStore,
    )
    from .sync import (
        HANDLERS_MAPPING,
        sync_adviser_documents,
        sync_analysis_documents,
        sync_dependency_monkey_documents,
        sync_documents,
        sync_inspection_documents,
        sync_provenance_checker_documents,
        sync_security_indicators_documents,
        sync_solver_documents,
    )

__version__ = "0.75.0"

_HOMES = {
    "GraphDatabase": ".graph",
    "validate_document": ".documents",
    "HANDLERS_MAPPING": ".sync",
    **{
        name: ".sync"
        for name in (
            "sync_adviser_documents",
            "sync_analysis_documents",
            "sync_dependency_monkey_documents",
            "sync_documents",
            "sync_inspection_documents",
            "sync_provenance_checker_documents",
            "sync_security_indicators_documents",
            "sync_solver_documents",
        )
    },
    **{
        name: ".s3"
        for name in (
            "AdvisersCacheStore",
            "AdvisersResultsStore",
            "AnalysesCacheStore",
            "AnalysisByDigest",
            "AnalysisResultsStore",
            "BuildLogsAnalysesCacheStore",
            "BuildLogsParsedResultsStore",
            "BuildLogsStore",
            "CephStore",
            "RESULT_SCHEMA",
            "DependencyMonkeyReportsStore",
            "DependencyMonkeyRequestsStore",
            "GraphBackupStore",
            "InspectionBuildsStore",
            "InspectionResultsStore",
            "InspectionStore",
            "ProvenanceCacheStore",
            "ProvenanceResultsStore",
            "SIAggregatedStore",
            "SIBanditStore",
            "SIClocStore",
            "SecurityIndicatorsResultsStore",
            "SolverResultsStore",
            "WorkflowLogsStore",
        )
    },
}

__all__ = [
    "HANDLERS_MAPPING",
    "RESULT_SCHEMA",
    "AdvisersCacheStore",
    "AdvisersResultsStore",
    "AnalysesCacheStore",
    "AnalysisByDigest",
    "AnalysisResultsStore",
    "BuildLogsAnalysesCacheStore",
    "BuildLogsParsedResultsStore",
    "BuildLogsStore",
    "CephStore",
    "DependencyMonkeyReportsStore",
    "DependencyMonkeyRequestsStore",
    "GraphBackupStore",
    "GraphDatabase",
    "InspectionBuildsStore",
    "InspectionResultsStore",
    "InspectionStore",
    "ProvenanceCacheStore",
    "ProvenanceResultsStore",
    "SIAggregatedStore",
    "SIBanditStore",
    "SIClocStore",
    "SecurityIndicatorsResultsStore",
    "SolverResultsStore",
    "WorkflowLogsStore",
    "__version__",
    "sync_adviser_documents",
    "sync_analysis_documents",
    "sync_dependency_monkey_documents",
    "sync_documents",
    "sync_inspection_documents",
    "sync_provenance_checker_documents",
    "sync_security_indicators_documents",
    "sync_solver_documents",
    "validate_document",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'thoth_storages' has no attribute {name!r}")
    return getattr(import_module(home, __name__), name)
