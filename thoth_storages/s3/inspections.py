"""Amun inspection stores: build artefacts and per-run results under one folder per inspection."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import ClassVar, Unpack

from ..exceptions import NoDocumentIdError
from .base import ConnectionOptions, DelegatingStore, store_prefix
from .factory import open_document_store
from .jsontypes import Document, JSONObject
from .validation import validate

_LOGGER = logging.getLogger(__name__)

INSPECTIONS = "inspections"


class _InspectionBase(DelegatingStore):
    """One part (`build` or `results`) of `{bucket_prefix}/{deployment}/inspections/{inspection_id}/`."""

    PART: ClassVar[str] = ""

    def __init__(
        self,
        inspection_id: str,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        self.inspection_id = inspection_id
        super().__init__(
            store_prefix(prefix, deployment_name, INSPECTIONS, inspection_id, self.PART),
            **options,
        )

    def _text(self, key: str) -> str:
        return self.ceph.retrieve_blob(key).decode("utf-8", errors="replace")


class InspectionBuildsStore(_InspectionBase):
    """`build/Dockerfile`, `build/log` and `build/specification` of an inspection."""

    PART = "build"

    def retrieve_dockerfile(self) -> str:
        """The Dockerfile the inspection image was built from."""
        return self._text("Dockerfile")

    def retrieve_log(self) -> str:
        """The image build log."""
        return self._text("log")

    def retrieve_specification(self) -> JSONObject:
        """The inspection specification (NotFoundError when none)."""
        return self.ceph.retrieve_document("specification")

    def store_dockerfile(self, dockerfile: str) -> None:
        """Store the Dockerfile."""
        self.ceph.store_blob(dockerfile.encode("utf-8"), "Dockerfile")

    def store_log(self, log: str) -> None:
        """Store the image build log."""
        self.ceph.store_blob(log.encode("utf-8"), "log")

    def store_specification(self, specification: Document) -> None:
        """Validate (inspection-specification) and store the specification."""
        validate(specification, "inspection-specification")
        self.ceph.store_document(specification, "specification")


class InspectionResultsStore(_InspectionBase):
    """Runs `results/<n>/{result,hwinfo,log}` of an inspection, numbered from 0."""

    PART = "results"

    @staticmethod
    def get_document_id(document: Document) -> str:
        """The `inspection_id` of an inspection result (NoDocumentIdError when absent)."""
        inspection_id = document.get("inspection_id")
        if not isinstance(inspection_id, str) or not inspection_id:
            raise NoDocumentIdError("the inspection result has no inspection_id")
        return inspection_id

    def _run_numbers(self) -> list[int]:
        return sorted(int(name) for name in self.ceph.get_folder_listing() if name.isdigit())

    def get_results_count(self) -> int:
        """Highest run number + 1 (0 without runs); gaps in the numbering are logged as warnings."""
        numbers = self._run_numbers()
        if not numbers:
            return 0
        count = numbers[-1] + 1
        missing = sorted(set(range(count)) - set(numbers))
        if missing:
            _LOGGER.warning("inspection %r has no results for runs %s", self.inspection_id, missing)
        return count

    def retrieve_hwinfo(self, item: int) -> JSONObject:
        """Hardware information of run `item`."""
        return self.ceph.retrieve_document(f"{item}/hwinfo")

    def retrieve_log(self, item: int) -> str:
        """Log of run `item`."""
        return self._text(f"{item}/log")

    def retrieve_result(self, item: int) -> JSONObject:
        """Result document of run `item`."""
        return self.ceph.retrieve_document(f"{item}/result")

    def store_result(self, item: int, result: Document) -> None:
        """Validate (inspection-result) and store the result of run `item`."""
        validate(result, "inspection-result")
        self.ceph.store_document(result, f"{item}/result")

    def store_hwinfo(self, item: int, hwinfo: Document) -> None:
        """Store the hardware information of run `item`."""
        self.ceph.store_document(hwinfo, f"{item}/hwinfo")

    def store_log(self, item: int, log: str) -> None:
        """Store the log of run `item`."""
        self.ceph.store_blob(log.encode("utf-8"), f"{item}/log")

    def iter_inspection_results(self) -> Iterator[JSONObject]:
        """Result documents of runs 0 .. count-1 (NotFoundError on a gap, as for retrieve_result)."""
        for item in range(self.get_results_count()):
            yield self.retrieve_result(item)


class InspectionStore:
    """Everything stored for one inspection: `.build` (InspectionBuildsStore), `.results`."""

    def __init__(
        self,
        inspection_id: str,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        self.inspection_id = inspection_id
        self.build = InspectionBuildsStore(
            inspection_id,
            deployment_name,
            prefix=prefix,
            **options,
        )
        self.results = InspectionResultsStore(
            inspection_id,
            deployment_name,
            prefix=prefix,
            **options,
        )
        self._root = open_document_store(
            store_prefix(prefix, deployment_name, INSPECTIONS, inspection_id),
            **options,
        )

    def retrieve_specification(self) -> JSONObject:
        """The inspection specification (from the build part)."""
        return self.build.retrieve_specification()

    def connect(self) -> None:
        """Connect both parts."""
        self.build.connect()
        self.results.connect()
        self._root.connect()

    def is_connected(self) -> bool:
        """Whether both parts are connected."""
        return self.build.is_connected() and self.results.is_connected() and self._root.is_connected()

    def check_connection(self) -> None:
        """Check that the object store answers."""
        self.build.check_connection()
        self.results.check_connection()

    def exists(self) -> bool:
        """Whether anything (build artefacts or results) is stored for this inspection."""
        return next(iter(self._root.get_document_listing()), None) is not None

    @classmethod
    def iter_inspections(
        cls,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> Iterator[str]:
        """Ids of every stored inspection, sorted."""
        store = open_document_store(
            store_prefix(prefix, deployment_name, INSPECTIONS),
            **options,
        )
        store.connect()
        yield from store.get_folder_listing()

    @classmethod
    def get_inspection_count(
        cls,
        deployment_name: str | None = None,
        *,
        prefix: str | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> int:
        """Number of stored inspections."""
        inspections = cls.iter_inspections(
            deployment_name,
            prefix=prefix,
            **options,
        )
        return sum(1 for _ in inspections)
