"""The sync: validated workflow documents -> knowledge-graph rows."""

from generated.sync_handlers import (
    HANDLERS_MAPPING,
    sync_adviser_documents,
    sync_analysis_documents,
    sync_dependency_monkey_documents,
    sync_inspection_documents,
    sync_provenance_checker_documents,
    sync_revsolver_documents,
    sync_security_indicators_documents,
    sync_solver_documents,
)

from .api import SyncEvent, sync_documents

__all__ = [
    "HANDLERS_MAPPING",
    "SyncEvent",
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
