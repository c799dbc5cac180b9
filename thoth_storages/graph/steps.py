"""Writers as steps, so that several documents' writes share their round trips.

A stepped writer is a generator of `Request`s: it yields one wherever it needs the database (rows to
ensure, rules to read), and reads the request's answer when it resumes. `run_alone` answers each
request on its own; `run_together` advances the writers of several documents in lockstep and answers
all their requests of one kind with one round trip (`Request.answer_together`), each document's rows
still counted in its own `Tally`. Between requests a writer may add deferred rows (link tables), which
cost no round trip and are counted for the document whose writer runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from generated.rows import RowSet

from .bulk import Key, Row, SetWriter, Tally


class Request(ABC):
    """Something a stepped writer needs from the database, answered before the writer resumes."""

    @abstractmethod
    def answer(self, writer: SetWriter) -> None:
        """Answer this request alone."""

    @classmethod
    @abstractmethod
    def answer_together(cls, writer: SetWriter, requests: Sequence[tuple[Tally, Self]]) -> None:
        """Answer several documents' requests of this kind in one round trip."""


Steps = Iterator[Request]
"""A stepped writer: its requests in turn (each answered before the next is asked for)."""


@dataclass
class Ensure(Request):
    """Rows of tables that do not refer to one another, made sure to exist (`SetWriter.ensure_tables`);
    `ids`, once answered: natural key -> id by table name (with a document's rows among others', when
    answered together: look ids up by key)."""

    tables: dict[str, list[Row]]
    ids: dict[str, dict[Key, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, *sets: RowSet[Any, Any]) -> Ensure:
        """The request for these row sets."""
        tables: dict[str, list[Row]] = {}
        for row_set in sets:
            tables.setdefault(row_set.table.name, []).extend(row_set.rows)
        return cls(tables)

    def answer(self, writer: SetWriter) -> None:
        self.ids = writer.ensure_tables(self.tables)

    @classmethod
    def answer_together(cls, writer: SetWriter, requests: Sequence[tuple[Tally, Ensure]]) -> None:
        ids = writer.ensure_together([(tally, request.tables) for tally, request in requests])
        for _tally, request in requests:
            request.ids = ids


def run_alone(writer: SetWriter, steps: Steps) -> None:
    """Run one stepped writer, answering each request on its own."""
    for request in steps:
        request.answer(writer)


def run_together(writer: SetWriter, documents: Sequence[tuple[Tally, Steps]]) -> None:
    """Run several documents' stepped writers in lockstep: at each step, the requests of one kind are
    answered in one round trip; each writer runs with its document's tally in use (`SetWriter.use`).
    A single document runs alone (nothing to share)."""
    if len(documents) == 1:
        ((tally, steps),) = documents
        writer.use(tally)
        run_alone(writer, steps)
        return
    waiting = _advance(writer, documents)
    while waiting:
        kinds: dict[type[Request], list[tuple[Tally, Request]]] = {}
        for tally, _steps, request in waiting:
            kinds.setdefault(type(request), []).append((tally, request))
        for kind, requests in kinds.items():
            kind.answer_together(writer, requests)
        waiting = _advance(writer, [(tally, steps) for tally, steps, _request in waiting])


def _advance(
    writer: SetWriter, documents: Iterable[tuple[Tally, Steps]]
) -> list[tuple[Tally, Steps, Request]]:
    """Each writer resumed up to its next request; those that finished are dropped."""
    waiting = []
    for tally, steps in documents:
        writer.use(tally, interleaved=True)
        request = next(steps, None)
        if request is not None:
            waiting.append((tally, steps, request))
    return waiting


__all__ = ["Ensure", "Request", "Steps", "run_alone", "run_together"]
