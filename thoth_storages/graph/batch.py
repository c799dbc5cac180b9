"""Several documents in one transaction, their statements combined (opt-in, THOTH_STORAGES_SYNC_BATCH).

Each document's writer runs unchanged in its own thread against a `BatchWriter`. A call that needs the
database (`ensure_tables` of tables with ids) waits until every writer still running has made one; then
the last to arrive sends all of them as one `SetWriter` statement and hands every writer the ids of
its own rows. Combining is safe because a writer's rows only refer to ids it already holds, which
earlier statements of the transaction inserted or found. Rows of tables without `id` are deferred
and written by one flush for the whole batch. So a batch of documents costs about as many statements
as one document: the fixed cost of a document (statements planned one by one, round trips, a commit)
is shared. The caller commits the batch whole or writes nothing, and then writes each document of a
failed batch in its own transaction, so a broken document still writes nothing and the others land.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from generated.rows import RowSet

from .bulk import Key, Row, SetWriter, plan


@dataclass
class _Call:
    tables: dict[str, list[Row]]
    found: dict[str, dict[Key, int]] | None = None
    error: BaseException | None = None


@dataclass
class _Combiner:
    """The writers' meeting point: calls wait until every running writer has made one."""

    writer: SetWriter
    running: int
    condition: threading.Condition = field(default_factory=threading.Condition)
    waiting: list[_Call] = field(default_factory=list)

    def call(self, tables: dict[str, list[Row]]) -> dict[str, dict[Key, int]]:
        call = _Call(tables)
        with self.condition:
            self.waiting.append(call)
            self._run_when_complete()
            self.condition.wait_for(lambda: call.found is not None or call.error is not None)
        if call.error is not None:
            raise call.error
        assert call.found is not None
        return call.found

    def finished(self) -> None:
        """A writer is done (or failed): the others no longer wait for it."""
        with self.condition:
            self.running -= 1
            self._run_when_complete()

    def _run_when_complete(self) -> None:
        if not self.waiting or len(self.waiting) < self.running:
            return
        calls, self.waiting = self.waiting, []
        merged: dict[str, list[Row]] = {}
        for call in calls:
            for name, rows in call.tables.items():
                merged.setdefault(name, []).extend(rows)
        try:
            found = self.writer.ensure_tables(merged)
        except BaseException as error:  # every waiting writer fails with it; the batch is abandoned
            for call in calls:
                call.error = error
        else:
            for call in calls:
                call.found = {name: _own(name, rows, found[name]) for name, rows in call.tables.items()}
        self.condition.notify_all()


def _own(name: str, rows: Iterable[Row], found: Mapping[Key, int]) -> dict[Key, int]:
    """The ids of these rows only, as a writer on its own would have been given."""
    key = plan(name).key
    own: dict[Key, int] = {}
    for row in rows:
        k = key(row)
        if k in found:
            own[k] = found[k]
    return own


class BatchWriter(SetWriter):
    """One document's view of a batch: a SetWriter whose `ensure_many` meets the others' (see module)."""

    def __init__(self, connection: Connection, combiner: _Combiner) -> None:
        super().__init__(connection, defer=True)
        self._combiner = combiner

    def ensure_tables(self, tables: Mapping[str, Iterable[Row]]) -> dict[str, dict[Key, int]]:
        lists = {name: list(rows) for name, rows in tables.items()}
        for name, rows in lists.items():
            self.seen[name] += len({plan(name).key(row) for row in rows})
        shared = self._combiner.writer
        if all(not plan(name).has_id for name in lists):  # deferred: no statement, no need to wait
            with self._combiner.condition:
                shared.ensure_tables(lists)
            return {name: {} for name in lists}
        return self._combiner.call(lists)

    def add(self, rows: RowSet[Any, Any]) -> None:
        """Rows whose ids nobody needs: deferred for the batch's flush (tables with `id`: written now)."""
        self.ensure_tables({rows.table.name: rows.rows})

    def flush(self) -> None:
        """Nothing: the batch's deferred rows are written once, by `write_batch`."""


def write_batch(
    connection: Connection, documents: Sequence[Callable[[SetWriter], None]]
) -> list[Counter[str]]:
    """Run every document's writer on one connection, inside the caller's transaction, with combined
    statements; the rows each one saw, per table. Raises the first failure (the caller rolls back)."""
    shared = SetWriter(connection, defer=True)
    combiner = _Combiner(shared, running=len(documents))
    writers = [BatchWriter(connection, combiner) for _ in documents]
    errors: list[BaseException] = []

    def run(write: Callable[[SetWriter], None], writer: BatchWriter) -> None:
        try:
            write(writer)
        except BaseException as error:
            errors.append(error)
        finally:
            combiner.finished()

    threads = [
        threading.Thread(target=run, args=(write, writer), name=f"thoth-sync-batch-{n}")
        for n, (write, writer) in enumerate(zip(documents, writers, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    shared.flush()
    return [writer.seen for writer in writers]
