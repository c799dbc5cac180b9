# ruff: noqa: F821
# fmt: off
"""mypy expectations of generated/rows.py (checked by tests/codegen/test_row_types.py, never run):
`# expected: T` reveals T; `# error: code` must be a mypy error with that code, and no other line errs."""

from __future__ import annotations

import datetime

from generated import rows
from generated.rows import AdvisedRow, ProvenanceCheckerRunRow

good: AdvisedRow = {"adviser_run_id": 1, "python_software_stack_id": 2}
reveal_type(good["adviser_run_id"])  # expected: int
reveal_type(rows.ADVISED([good]).rows)  # expected: tuple[TypedDict(generated.rows.AdvisedRow, {'adviser_run_id': int, 'python_software_stack_id': int}), ...]
reveal_type(rows.ADVISED.key(1, 2))  # expected: tuple[int, int, fallback=generated.rows.AdvisedKey]
reveal_type(rows.PYTHON_PACKAGE_VERSION_ENTITY.key._fields)  # expected: tuple[str, str, str]

misspelt: AdvisedRow = {"adviser_run_id": 1, "python_software_stack": 2}  # error: typeddict-unknown-key
wrong_type: AdvisedRow = {"adviser_run_id": "1", "python_software_stack_id": 2}  # error: typeddict-item
missing: AdvisedRow = {"adviser_run_id": 1}  # error: typeddict-item
null_in_not_null: AdvisedRow = {"adviser_run_id": None, "python_software_stack_id": 2}  # error: typeddict-item
wrong_key = rows.ADVISED.key("1", 2)  # error: arg-type
in_a_set = rows.ADVISED([{"adviser_run_id": 1, "python_software_stack_ids": 2}])  # error: typeddict-unknown-key

optional_left_out: ProvenanceCheckerRunRow = {
    "provenance_checker_document_id": "provenance-checker-1",
    "datetime": datetime.datetime(2020, 1, 1),
    "provenance_checker_version": "1",
    "provenance_checker_name": "x",
    "debug": False,
    "user_software_stack_id": 1,
}
reveal_type(optional_left_out.get("origin"))  # expected: str | None
other_table = rows.ADVISED([optional_left_out])  # error: list-item
not_a_date: ProvenanceCheckerRunRow = {**optional_left_out, "datetime": "2020-01-01"}  # error: typeddict-item
