"""`thoth.storages.sync`: syncing workflow documents into the knowledge graph. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.graph import GraphDatabase
from thoth_storages.s3 import (
    AdvisersResultsStore,
    AnalysisResultsStore,
    DependencyMonkeyReportsStore,
    InspectionStore,
    ProvenanceResultsStore,
    RevSolverResultsStore,
    SecurityIndicatorsResultsStore,
    SIAggregatedStore,
    SolverResultsStore,
)
from thoth_storages.sync import (
    HANDLERS_MAPPING,
    sync_adviser_documents,
    sync_analysis_documents,
    sync_dependency_monkey_documents,
    sync_documents,
    sync_inspection_documents,
    sync_provenance_checker_documents,
    sync_revsolver_documents,
    sync_security_indicators_documents,
    sync_solver_documents,
)

__all__ = [
    "HANDLERS_MAPPING",
    "AdvisersResultsStore",
    "AnalysisResultsStore",
    "DependencyMonkeyReportsStore",
    "GraphDatabase",
    "InspectionStore",
    "ProvenanceResultsStore",
    "RevSolverResultsStore",
    "SIAggregatedStore",
    "SecurityIndicatorsResultsStore",
    "SolverResultsStore",
    "sync_adviser_documents",
    "sync_analysis_documents",
    "sync_dependency_monkey_documents",
    "sync_documents",
    "sync_inspection_documents",
    "sync_provenance_checker_documents",
    "sync_revsolver_documents",
    "sync_security_indicators_documents",
    "sync_solver_documents",
]
