"""WorkflowLogsStore: instantiable, exactly one log per workflow."""

from __future__ import annotations

import pytest
from s3_helpers import DEPLOYMENT, Backend

from thoth_storages.exceptions import MultipleFoundError, NotFoundError
from thoth_storages.s3 import WorkflowLogsStore


def test_workflow_logs(backend: Backend) -> None:
    store = WorkflowLogsStore()
    assert store.prefix == f"{backend.bucket_prefix}/{DEPLOYMENT}/argo/artifacts/"
    assert not store.is_connected()
    store.connect()
    assert store.is_connected()
    store.ceph.store_blob("step 1 \u2713\nstep 2\n".encode(), "adviser-1/adviser-1-123/main.log")
    store.ceph.store_blob(b"other", "adviser-10/adviser-10-9/main.log")
    store.ceph.store_blob(b"a", "solver-2/pod-a/main.log")
    store.ceph.store_blob(b"b", "solver-2/pod-b/main.log")
    assert store.get_log("adviser-1") == "step 1 \u2713\nstep 2\n"
    assert store.get_log("adviser-10") == "other"
    with pytest.raises(MultipleFoundError, match="solver-2"):
        store.get_log("solver-2")
    with pytest.raises(NotFoundError, match="adviser-2"):
        store.get_log("adviser-2")


def test_explicit_arguments(backend: Backend) -> None:
    assert WorkflowLogsStore("dep", prefix="bucket-prefix").prefix == "bucket-prefix/dep/argo/artifacts/"
