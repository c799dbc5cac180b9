"""ResultStorageBase and the result stores: one folder of JSON documents per result type."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from typing import IO, ClassVar, TypedDict

from generated.kinds import STORE_DOCUMENT_TYPES

from ..exceptions import NoDocumentIdError
from .base import store_prefix
from .dates import dated_keys, day_range
from .factory import open_document_store
from .interface import DocumentStore, StorageBase
from .jsontypes import Document, JSONObject
from .validation import validate

REQUEST_SUFFIX = ".request"


class ResultStorageBase(StorageBase):
    """JSON documents of one RESULT_TYPE under `{bucket_prefix}/{deployment}/{RESULT_TYPE}/{document_id}`.

    User requests sit next to them as `{document_id}.request`. Documents are validated with
    `thoth_storages.documents.validate_document` (as DOCUMENT_TYPE) before they are stored.
    """

    RESULT_TYPE: ClassVar[str] = ""
    DOCUMENT_TYPE: ClassVar[str | None] = None
    """Document type passed to validate_document; None lets the validator pick it from the document.
    The stores the sync lists documents from get their kind's type (schema/documents/kinds.yaml)."""
    VALIDATE: ClassVar[bool] = True
    """Whether store_document validates (the original's SCHEMA=None turns this off)."""
    DOCUMENT_ID_PREFIX: ClassVar[str | None] = None
    """How this store's document ids start (default RESULT_TYPE); dated listings look for `<it>-%y%m%d`."""

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.DOCUMENT_TYPE = STORE_DOCUMENT_TYPES.get(cls.__name__, cls.DOCUMENT_TYPE)

    def __init__(
        self,
        deployment_name: str | None = None,
        *,
        host: str | None = None,
        key_id: str | None = None,
        secret_key: str | None = None,
        bucket: str | None = None,
        region: str | None = None,
        prefix: str | None = None,
        local_root: str | os.PathLike[str] | None = None,
    ) -> None:
        if not self.RESULT_TYPE:
            raise AssertionError(f"{type(self).__name__} must set RESULT_TYPE")
        self.prefix = store_prefix(prefix, deployment_name, self.RESULT_TYPE)
        self.ceph: DocumentStore = open_document_store(
            self.prefix,
            host=host,
            key_id=key_id,
            secret_key=secret_key,
            bucket=bucket,
            region=region,
            local_root=local_root,
        )

    @classmethod
    def id_prefix(cls) -> str:
        """The start of this store's document ids."""
        return cls.DOCUMENT_ID_PREFIX or cls.RESULT_TYPE

    @classmethod
    def get_document_id(cls, document: Document) -> str:
        """`metadata.document_id` of `document` (NoDocumentIdError when absent)."""
        metadata = document.get("metadata")
        document_id = metadata.get("document_id") if isinstance(metadata, dict) else None
        if not isinstance(document_id, str) or not document_id:
            raise NoDocumentIdError(
                f"the document has no metadata.document_id to store it under ({cls.__name__})"
            )
        return document_id

    def is_connected(self) -> bool:
        """Whether the underlying document store is connected."""
        return self.ceph.is_connected()

    def connect(self) -> None:
        """Connect the underlying document store."""
        self.ceph.connect()

    def check_connection(self) -> None:
        """Check that the underlying document store answers."""
        self.ceph.check_connection()

    def _listing(
        self,
        id_prefix: str,
        start_date: date | None,
        end_date: date | None,
        include_end_date: bool,
        only_requests: bool,
        undated_prefix: str = "",
    ) -> Iterator[str]:
        """Keys starting with `undated_prefix`, or ids `<id_prefix>-<yymmdd>...` in the date range."""
        if start_date is None:
            if end_date is not None:
                raise ValueError("end_date given without start_date")
            keys: Iterator[str] = self.ceph.get_document_listing(undated_prefix)
        else:
            days = day_range(start_date, end_date, include_end_date)
            keys = dated_keys(self.ceph, id_prefix, *days) if days else iter(())
        return (key for key in keys if key.endswith(REQUEST_SUFFIX) == only_requests)

    def get_document_listing(
        self,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        include_end_date: bool = False,
        only_requests: bool = False,
    ) -> Iterator[str]:
        """Document ids (or, with only_requests, request keys), optionally of the given days only."""
        return self._listing(self.id_prefix(), start_date, end_date, include_end_date, only_requests)

    def get_document_count(
        self,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        include_end_date: bool = False,
        only_requests: bool = False,
    ) -> int:
        """Number of ids `get_document_listing` yields for the same arguments."""
        return sum(
            1
            for _ in self.get_document_listing(
                start_date=start_date,
                end_date=end_date,
                include_end_date=include_end_date,
                only_requests=only_requests,
            )
        )

    def validate_document(self, document: Document) -> None:
        """Raise SchemaError unless `document` is a valid DOCUMENT_TYPE document (no-op without VALIDATE)."""
        if self.VALIDATE:
            validate(document, self.DOCUMENT_TYPE)

    def store_document(self, document: Document, document_id: str | None = None) -> str:
        """Validate and store `document`; returns its id (`metadata.document_id` unless given)."""
        self.validate_document(document)
        document_id = document_id or self.get_document_id(document)
        self.ceph.store_document(document, document_id)
        return document_id

    def store_request(self, document_id: str, request: Document) -> str:
        """Store the user request behind `document_id`; returns its key `<document_id>.request`."""
        key = document_id + REQUEST_SUFFIX
        self.ceph.store_document(request, key)
        return key

    def retrieve_request(self, document_id: str) -> JSONObject:
        """The user request stored for `document_id` (NotFoundError when none)."""
        return self.ceph.retrieve_document(document_id + REQUEST_SUFFIX)

    def request_exists(self, document_id: str) -> bool:
        """Whether a user request is stored for `document_id`."""
        return self.ceph.document_exists(document_id + REQUEST_SUFFIX)

    def store_file(self, file_path: str | os.PathLike[str], file_id: str) -> None:
        """Upload a file under `file_id`."""
        self.ceph.store_file(file_path, file_id)

    def retrieve_document(self, document_id: str) -> JSONObject:
        """The document stored under `document_id` (NotFoundError when none)."""
        return self.ceph.retrieve_document(document_id)

    def open_document(self, document_id: str) -> IO[bytes]:
        """The document stored under `document_id` as a seekable binary file (NotFoundError when none)."""
        return self.ceph.open_blob(document_id)

    def iterate_results(
        self,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        include_end_date: bool = False,
    ) -> Iterator[tuple[str, JSONObject]]:
        """(document_id, document) for every document (requests excluded), optionally of given days."""
        for document_id in self.get_document_listing(
            start_date=start_date, end_date=end_date, include_end_date=include_end_date
        ):
            yield document_id, self.retrieve_document(document_id)

    def document_exists(self, document_id: str) -> bool:
        """Whether a document is stored under `document_id`."""
        return self.ceph.document_exists(document_id)


class AdvisersResultsStore(ResultStorageBase):
    """Adviser results (ids `adviser-%y%m%d%H%M%S-<hash>`)."""

    RESULT_TYPE = "adviser"


class AnalysisResultsStore(ResultStorageBase):
    """Package-extract (container image analysis) results (ids `package-extract-...`)."""

    RESULT_TYPE = "analysis"
    DOCUMENT_ID_PREFIX = "package-extract"


class AnalysisByDigest(ResultStorageBase):
    """Image digest → analysis id records; not validated (the original's SCHEMA=None)."""

    RESULT_TYPE = "analysis-by-digest"
    VALIDATE = False


class BuildLogsParsedResultsStore(ResultStorageBase):
    """Parsed build logs (build-analyser output)."""

    RESULT_TYPE = "buildlogs-parsed"
    VALIDATE = False


class DependencyMonkeyReportsStore(ResultStorageBase):
    """Dependency Monkey reports (ids `dependency-monkey-...`)."""

    RESULT_TYPE = "dependency-monkey-reports"
    DOCUMENT_ID_PREFIX = "dependency-monkey"

    def iterate_inspection_ids(self) -> Iterator[str]:
        """Inspection ids listed in `result.output` of every report (reports without output are skipped)."""
        for _, report in self.iterate_results():
            result = report.get("result")
            output = result.get("output") if isinstance(result, dict) else None
            if isinstance(output, list):
                yield from (item for item in output if isinstance(item, str))


class DependencyMonkeyRequestsStore(ResultStorageBase):
    """Requests of Dependency Monkey runs."""

    RESULT_TYPE = "dependency-monkey-requests"
    VALIDATE = False


class ObservationResultsStore(ResultStorageBase):
    """Observations (not exported by the original's package root either)."""

    RESULT_TYPE = "observations"
    VALIDATE = False


class ProvenanceResultsStore(ResultStorageBase):
    """Provenance-checker results."""

    RESULT_TYPE = "provenance-checker"


class RevSolverResultsStore(ResultStorageBase):
    """Reverse-solver results."""

    RESULT_TYPE = "revsolver"


class SolverInfo(TypedDict):
    """Which solver's documents to list: os_name, os_version and python_version (e.g. "3.8")."""

    os_name: str
    os_version: str
    python_version: str


_SOLVER_NAME = re.compile(r"^(solver-.+?-py\d+)(?:-|$)")


class SolverResultsStore(ResultStorageBase):
    """Solver results (ids `solver-<os>-<version>-py<XY>-...`)."""

    RESULT_TYPE = "solver"

    @staticmethod
    def get_solver_name_from_document_id(solver_document_id: str) -> str:
        """The solver name of a document id: `solver-fedora-31-py37-0a0b591a` → `solver-fedora-31-py37`."""
        match = _SOLVER_NAME.match(solver_document_id)
        if match is None:
            raise ValueError(
                f"{solver_document_id!r} is not a solver document id (solver-<os>-<version>-py<XY>-...)"
            )
        return match.group(1)

    @staticmethod
    def solver_name(solver_info: SolverInfo) -> str:
        """`solver-<os_name>-<os_version>-py<XY>` for `solver_info`."""
        python = solver_info["python_version"].replace(".", "")
        return f"solver-{solver_info['os_name']}-{solver_info['os_version']}-py{python}"

    def get_document_listing(
        self,
        solver_info: SolverInfo | None = None,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        include_end_date: bool = False,
        only_requests: bool = False,
    ) -> Iterator[str]:
        """Document ids, optionally of one solver and (only with `solver_info`) of the given days."""
        if solver_info is None:
            if start_date is not None or end_date is not None:
                raise ValueError("listing solver documents by date needs solver_info")
            return self._listing("", None, None, include_end_date, only_requests)
        name = self.solver_name(solver_info)
        return self._listing(name, start_date, end_date, include_end_date, only_requests, name + "-")

    def get_document_count(
        self,
        solver_info: SolverInfo | None = None,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        include_end_date: bool = False,
        only_requests: bool = False,
    ) -> int:
        """Number of ids `get_document_listing` yields for the same arguments."""
        listing = self.get_document_listing(
            solver_info,
            start_date=start_date,
            end_date=end_date,
            include_end_date=include_end_date,
            only_requests=only_requests,
        )
        return sum(1 for _ in listing)

    def iterate_results(
        self,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        include_end_date: bool = False,
        solver_info: SolverInfo | None = None,
    ) -> Iterator[tuple[str, JSONObject]]:
        """(document_id, document) pairs; dates need `solver_info`, as in get_document_listing."""
        listing = self.get_document_listing(
            solver_info, start_date=start_date, end_date=end_date, include_end_date=include_end_date
        )
        for document_id in listing:
            yield document_id, self.retrieve_document(document_id)
