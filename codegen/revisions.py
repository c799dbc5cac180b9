"""The revision history: snapshots under alembic/snapshots/, revision files under alembic/versions/."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import ir
from .format import banner
from .migration_diff import ALL_INTENDED, compare
from .migration_ops import Op, summary
from .render_migration import downgrade, upgrade

SNAPSHOTS = "alembic/snapshots"
VERSIONS = "alembic/versions"
EMPTY = ir.Schema(enums=(), tables=())


class HistoryError(Exception):
    """The snapshots under alembic/snapshots/ are not a valid linear history."""


@dataclass(frozen=True)
class Revision:
    """One revision: its place in the chain and the schema as of it."""

    number: int
    revision: str
    down_revision: str | None
    message: str
    schema: ir.Schema

    @property
    def stem(self) -> str:
        """File name stem shared by the revision and its snapshot."""
        slug = re.sub(r"[^a-z0-9]+", "_", self.message.lower()).strip("_")[:40].rstrip("_")
        return f"{self.number:04d}_{self.revision}_{slug}"

    def snapshot_text(self) -> str:
        """The snapshot file's text."""
        data = {
            "down_revision": self.down_revision,
            "message": self.message,
            "revision": self.revision,
            "schema": self.schema.to_snapshot(),
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def revision_id(down_revision: str | None, message: str, schema: ir.Schema) -> str:
    """Deterministic revision id: a hash of the parent, the message and the schema."""
    payload = json.dumps([down_revision, message, schema.to_snapshot()], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def read_history(snapshots: Path) -> list[Revision]:
    """Read and verify the snapshots in `snapshots` (a project's alembic/snapshots), oldest first."""
    history: list[Revision] = []
    for number, file in enumerate(sorted(snapshots.glob("*.json")), start=1):
        where = f"{SNAPSHOTS}/{file.name}"
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            schema = ir.snapshot_to_schema(data["schema"])
            revision = Revision(number, data["revision"], data["down_revision"], data["message"], schema)
        except (ValueError, KeyError, TypeError) as error:
            raise HistoryError(f"{where}: not a readable snapshot ({error})") from None
        parent = history[-1].revision if history else None
        if revision.down_revision != parent:
            raise HistoryError(f"{where}: down_revision {revision.down_revision!r} should be {parent!r}")
        if revision_id(parent, revision.message, schema) != revision.revision:
            raise HistoryError(
                f"{where}: revision id does not match its content (was the snapshot edited by hand?)"
            )
        if file.stem != revision.stem:
            raise HistoryError(f"{where}: file name should be {revision.stem}.json")
        history.append(revision)
    return history


def summarize(operations: list[Op]) -> str:
    """A default revision message from the operations."""
    if not operations:
        return "empty"
    if len(operations) <= 3:
        return ", ".join(summary(operation) for operation in operations)
    return f"{summary(operations[0])} and {len(operations) - 1} more changes"


def plan(history: list[Revision], schema: ir.Schema, message: str | None = None) -> list[Revision]:
    """The history, plus a new revision when the schema differs from the last snapshot."""
    previous = history[-1].schema if history else EMPTY
    current = ir.Schema(enums=schema.enums, tables=schema.tables)
    if previous == current:
        return history
    operations = compare(previous, schema)
    text = message or summarize(operations)
    parent = history[-1].revision if history else None
    new = Revision(len(history) + 1, revision_id(parent, text, current), parent, text, current)
    return [*history, new]


def render_revision(revision: Revision, previous: ir.Schema) -> str:
    """The Alembic revision file of `revision` (before formatting)."""
    # historical revisions were accepted when written: re-rendering them never refuses
    operations = compare(previous, ir.Schema(revision.schema.enums, revision.schema.tables, ALL_INTENDED))
    up = [line for operation in operations for line in upgrade(operation)] or ["pass"]
    down = [line for operation in reversed(operations) for line in downgrade(operation)] or ["pass"]
    body = [
        banner(f"{SNAPSHOTS}/{revision.stem}.json").rstrip("\n"),
        f'"""{revision.message}\n\nRevision ID: {revision.revision}\nRevises: {revision.down_revision}\n"""\n',
        "from __future__ import annotations\n",
        "import sqlalchemy as sa",
        "from alembic import op",
        "from sqlalchemy.dialects import postgresql\n",
        f"revision = {revision.revision!r}",
        f"down_revision: str | None = {revision.down_revision!r}",
        "branch_labels: str | None = None",
        "depends_on: str | None = None\n\n",
        "def upgrade() -> None:",
        *(f"    {line}" for line in up),
        "\n",
        "def downgrade() -> None:",
        *(f"    {line}" for line in down),
    ]
    return "\n".join(body) + "\n"


def render_history(history: list[Revision]) -> dict[str, str]:
    """Snapshot and revision files of the whole history (revision files before formatting)."""
    files: dict[str, str] = {}
    previous = EMPTY
    for revision in history:
        files[f"{SNAPSHOTS}/{revision.stem}.json"] = revision.snapshot_text()
        files[f"{VERSIONS}/{revision.stem}.py"] = render_revision(revision, previous)
        previous = revision.schema
    return files
