"""`make demo`'s job (`thoth-storages demo`) on embedded defaults: a new database (a clone of the head
template: creating one from nothing is tests/graph/test_database.py's), the local document store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import head_template, new_database


def test_the_demo_publishes_syncs_every_bundled_document_and_answers(tmp_path: Path) -> None:
    with new_database(head_template()) as settings:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("THOTH_")},
            **settings.environment(),
            "THOTH_STORAGES_LOCAL_ROOT": str(tmp_path / "documents"),
            "THOTH_CEPH_BUCKET_PREFIX": "data",
            "THOTH_DEPLOYMENT_NAME": "demo",
        }
        done = subprocess.run(
            [str(Path(sys.executable).parent / "thoth-storages"), "demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    published = re.search(r"published (\d+) documents", done.stdout)
    assert published and int(published.group(1)) > 0
    rows = re.findall(r"│ (\w+)\s+│\s+(\d+) │\s+(\d+) │\s+(\d+) │\s+(\d+) │", done.stdout)
    assert rows, done.stdout
    assert sum(int(processed) for _, processed, *_ in rows) > 0
    assert all(failed == "0" and processed == synced for _, processed, synced, _skipped, failed in rows)
    for title in ("packages solved, per solver", "solver records, failed ones by kind"):
        assert title in done.stdout
