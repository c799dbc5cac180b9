"""WorkflowLogsStore: Argo workflow logs archived as artifacts."""

from __future__ import annotations

import os

from ..exceptions import MultipleFoundError, NotFoundError
from .base import DelegatingStore, store_prefix


class WorkflowLogsStore(DelegatingStore):
    """Logs under `{bucket_prefix}/{deployment}/argo/artifacts/{workflow_id}/...` (one log per workflow)."""

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
        super().__init__(
            store_prefix(prefix, deployment_name, "argo", "artifacts"),
            host=host,
            key_id=key_id,
            secret_key=secret_key,
            bucket=bucket,
            region=region,
            local_root=local_root,
        )

    def get_log_key(self, workflow_id: str) -> str:
        """The one key under `{workflow_id}/` (NotFoundError when none, MultipleFoundError when several)."""
        keys = list(self.ceph.get_document_listing(workflow_id.rstrip("/") + "/"))
        if not keys:
            raise NotFoundError(f"no log found for workflow {workflow_id!r} under {self.prefix!r}")
        if len(keys) > 1:
            raise MultipleFoundError(
                f"{len(keys)} logs found for workflow {workflow_id!r} under {self.prefix!r}: {keys[:5]}"
            )
        return keys[0]

    def get_log(self, workflow_id: str) -> str:
        """The text of the workflow's log (decoded as UTF-8, undecodable bytes replaced)."""
        return self.ceph.retrieve_blob(self.get_log_key(workflow_id)).decode("utf-8", errors="replace")
