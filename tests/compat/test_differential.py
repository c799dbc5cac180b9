"""The differential suite on the make-test subset of the real documents (`make compat` runs them all).

Both libraries sync the same documents into two databases; every table and the answer of every public
read method of 0.74.2 (several argument sets each) must be equal, or the difference must be listed with
its reason in schema/COMPATIBILITY.md. The original's synced database is cached as a template database
named by a hash of its inputs, so only the first run pays for its row-by-row sync.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.compat.differential import ORIGINAL_PYTHON, ROOT, Report, deliberate, run
from tests.conftest import admin, scratch_name
from thoth_storages.config import DatabaseSettings

INSTALL_FAILED = 3  # scripts/compat-original.sh: the original cannot be installed


def _install_original() -> None:
    if ORIGINAL_PYTHON.exists():
        return
    database = scratch_name("thoth_compat_install")
    try:
        done = subprocess.run(
            [str(ROOT / "scripts" / "compat-original.sh"), "--build-only", "--original-db", database],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        settings = DatabaseSettings.from_env()
        admin(settings, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if done.returncode == INSTALL_FAILED:
        pytest.skip(f"thoth-storages 0.74.2 cannot be installed here: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def report() -> Iterator[Report]:
    _install_original()
    yield run(subset=True)


def test_report_figures(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\ndifferential (subset): {report.summary()}")
    assert len(report.asked) > 300 and len(report.methods()) > 100  # every read method, several calls each
    assert report.tables == 81


def test_every_table_equal_on_all_columns_or_listed(report: Report) -> None:
    assert not report.unexplained_tables(), "\n".join(diff.describe() for diff in report.unexplained_tables())


def test_every_answer_equal_or_listed(report: Report) -> None:
    assert not report.unexplained_answers(signatures=False), report.details()


def test_every_call_the_original_accepts_is_accepted(report: Report) -> None:
    refused = sorted({report.asked[i]["method"] for i in range(len(report.asked)) if report.refused(i)})
    assert not refused, f"calls 0.74.2 accepts and ours refuses with TypeError: {refused}"


def test_documents_the_original_refuses_are_listed_and_ours_syncs_the_rest(report: Report) -> None:
    assert not report.unlisted_documents, report.details()
    assert not report.ours_failed, report.ours_failed


def test_listed_answers_name_methods_the_suite_asks(report: Report) -> None:
    asked = set(report.methods())
    unknown = sorted(set(deliberate().get("answer", {})) - {f"GraphDatabase.{name}" for name in asked})
    assert not unknown, f"answer: entries naming no asked read method: {unknown}"
