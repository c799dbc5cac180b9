"""`db health`: corruption (amcheck), bloat, size, schema revision and long-running transactions.

Unhealthy, so a probe fails, on a corrupt index or a schema that is not at the library's head; bloat
above the threshold and long-running transactions are reported as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..exceptions import DatabaseNotInitializedError
from ..graph import GraphDatabase
from ..graph.maintenance import ExtensionUnavailableError

_CORRUPTION_STATES = frozenset({"XX001", "XX002"})  # data_corrupted, index_corrupted

_BTREE_INDEXES = """
SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready AND n.nspname = current_schema()
  AND c.relpersistence <> 't'
ORDER BY c.relname
"""

_LONG_TRANSACTIONS = """
SELECT pid, extract(epoch FROM now() - xact_start)::float, coalesce(state, ''), left(query, 120)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND xact_start IS NOT NULL
  AND now() - xact_start > make_interval(secs => :seconds)
ORDER BY xact_start
"""


@dataclass(frozen=True)
class Bloat:
    """A relation whose estimated bloat is above the threshold."""

    relation: str
    percent: float
    mib: float


@dataclass(frozen=True)
class Transaction:
    """A transaction open longer than the threshold."""

    pid: int
    seconds: float
    state: str
    query: str


@dataclass
class HealthReport:
    """What `db health` found."""

    database: str
    size_bytes: int
    revision: str | None
    head: str
    indexes_checked: int = 0
    corrupt_indexes: dict[str, str] = field(default_factory=dict)
    amcheck_note: str | None = None
    bloat: list[Bloat] = field(default_factory=list)
    long_transactions: list[Transaction] = field(default_factory=list)

    @property
    def schema_current(self) -> bool:
        """Whether the database is at the library's head revision."""
        return self.revision == self.head

    @property
    def problems(self) -> list[str]:
        """What makes the database unhealthy (empty when healthy)."""
        found = [f"index {name} is corrupt: {detail}" for name, detail in self.corrupt_indexes.items()]
        if not self.schema_current:
            found.append(
                f"schema revision {self.revision or 'none'} is not the library's head {self.head}: "
                "run `thoth-storages db init`"
            )
        return found

    @property
    def warnings(self) -> list[str]:
        """What an operator should look at but that does not make the database unhealthy."""
        found = [f"{item.relation}: {item.percent:.0f}% bloat ({item.mib:.2f} MiB)" for item in self.bloat]
        found += [
            f"transaction of backend {item.pid} open for {item.seconds:.0f} s ({item.state}): {item.query}"
            for item in self.long_transactions
        ]
        if self.amcheck_note:
            found.append(self.amcheck_note)
        return found


def check_indexes(graph: GraphDatabase, *, heapallindexed: bool = True) -> tuple[int, dict[str, str]]:
    """amcheck's bt_index_check on every btree index of the current schema, one statement per index so
    each corrupt one is named; with `heapallindexed` every heap tuple must also be found in the index
    (which catches keys an IMMUTABLE function would now compute differently). Returns (indexes checked,
    {corrupt index: amcheck's message}); ExtensionUnavailableError when amcheck cannot be created."""
    try:
        with graph.engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    except DBAPIError as error:
        raise ExtensionUnavailableError(
            f"amcheck is not available in {graph.settings.database!r}, so indexes were not checked for "
            f"corruption (install postgresql-contrib, or have the database owner run CREATE EXTENSION amcheck): "
            f"{str(error.orig).strip().splitlines()[0] if error.orig else error}"
        ) from None
    corrupt: dict[str, str] = {}
    with graph.engine.connect() as connection:
        indexes = [(int(oid), str(name)) for oid, name in connection.execute(text(_BTREE_INDEXES))]
        for oid, name in indexes:
            try:
                with connection.begin_nested():
                    connection.execute(
                        text("SELECT bt_index_check(:oid, :heap)"), {"oid": oid, "heap": heapallindexed}
                    )
            except DBAPIError as error:
                if getattr(error.orig, "pgcode", None) not in _CORRUPTION_STATES:
                    raise
                corrupt[str(name)] = str(error.orig).strip().splitlines()[0]
        connection.rollback()
    return len(indexes), corrupt


def health(
    graph: GraphDatabase,
    *,
    bloat_percent: float = 50.0,
    bloat_min_mib: float = 1.0,
    transaction_seconds: float = 300.0,
    heapallindexed: bool = True,
) -> HealthReport:
    """Check the connected database: amcheck, bloat above `bloat_percent` (relations of at least
    `bloat_min_mib` bloat), size, schema revision, transactions open longer than `transaction_seconds`."""
    try:
        revision: str | None = graph.get_table_alembic_version_head()
    except DatabaseNotInitializedError:
        revision = None
    report = HealthReport(
        database=graph.settings.database,
        size_bytes=graph.get_database_size(),
        revision=revision,
        head=graph.get_script_alembic_version_head(),
    )
    try:
        report.indexes_checked, report.corrupt_indexes = check_indexes(graph, heapallindexed=heapallindexed)
    except ExtensionUnavailableError as error:
        report.amcheck_note = str(error)
    report.bloat = [
        Bloat(row["tablename"], row["pct_bloat"], row["mb_bloat"])
        for row in graph.get_bloat_data()
        if row["pct_bloat"] > bloat_percent and row["mb_bloat"] >= bloat_min_mib
    ] + [
        Bloat(f"{row['table_name']}.{row['index_name']}", row["bloat_pct"], row["bloat_mb"])
        for row in graph.get_index_bloat_data()
        if row["bloat_pct"] > bloat_percent and row["bloat_mb"] >= bloat_min_mib
    ]
    with graph.engine.connect() as connection:
        report.long_transactions = [
            Transaction(int(pid), float(seconds), str(state), str(query))
            for pid, seconds, state, query in connection.execute(
                text(_LONG_TRANSACTIONS), {"seconds": transaction_seconds}
            )
        ]
    return report


__all__ = ["Bloat", "HealthReport", "Transaction", "check_indexes", "health"]
