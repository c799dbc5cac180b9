"""Object-store layer: CephStore (S3), LocalStore (files) and the store classes on top of either."""

from .backup import GraphBackupStore
from .base import ConnectionOptions
from .buildlogs import BuildLogsStore
from .caches import (
    AdvisersCacheStore,
    AnalysesCacheStore,
    BuildLogsAnalysesCacheStore,
    CephCache,
    ProvenanceCacheStore,
)
from .ceph import CephStore
from .factory import open_document_store
from .inspections import InspectionBuildsStore, InspectionResultsStore, InspectionStore
from .interface import DocumentStore, StorageBase, dict2blob
from .jsontypes import Document, JSONObject, JSONValue
from .local import LocalStore
from .result_schema import RESULT_SCHEMA, ResultSchema
from .results import (
    AdvisersResultsStore,
    AnalysisByDigest,
    AnalysisResultsStore,
    BuildLogsParsedResultsStore,
    DependencyMonkeyReportsStore,
    DependencyMonkeyRequestsStore,
    ObservationResultsStore,
    ProvenanceResultsStore,
    ResultStorageBase,
    RevSolverResultsStore,
    SolverInfo,
    SolverResultsStore,
)
from .security_indicators import (
    SecurityIndicatorsResultsStore,
    SIAggregatedStore,
    SIBanditStore,
    SIClocStore,
)
from .settings import S3Settings
from .workflow_logs import WorkflowLogsStore

__all__ = [
    "RESULT_SCHEMA",
    "AdvisersCacheStore",
    "AdvisersResultsStore",
    "AnalysesCacheStore",
    "AnalysisByDigest",
    "AnalysisResultsStore",
    "BuildLogsAnalysesCacheStore",
    "BuildLogsParsedResultsStore",
    "BuildLogsStore",
    "CephCache",
    "CephStore",
    "ConnectionOptions",
    "DependencyMonkeyReportsStore",
    "DependencyMonkeyRequestsStore",
    "Document",
    "DocumentStore",
    "GraphBackupStore",
    "InspectionBuildsStore",
    "InspectionResultsStore",
    "InspectionStore",
    "JSONObject",
    "JSONValue",
    "LocalStore",
    "ObservationResultsStore",
    "ProvenanceCacheStore",
    "ProvenanceResultsStore",
    "ResultSchema",
    "ResultStorageBase",
    "RevSolverResultsStore",
    "S3Settings",
    "SIAggregatedStore",
    "SIBanditStore",
    "SIClocStore",
    "SecurityIndicatorsResultsStore",
    "SolverInfo",
    "SolverResultsStore",
    "StorageBase",
    "WorkflowLogsStore",
    "dict2blob",
    "open_document_store",
]
