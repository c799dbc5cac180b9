"""A throwaway PostgreSQL cluster of the suite's own (initdb + pg_ctl from the system binaries, as
scripts/ensure-postgres.sh starts one), on a free port and a temporary directory, so that it can be
restarted without disturbing the shared server other tests use."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.s3.s3_helpers import free_port
from thoth_storages.config import DatabaseSettings


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class Cluster:
    """A running cluster: where it lives and how to reach it."""

    bindir: Path
    directory: Path
    port: int

    @property
    def settings(self) -> DatabaseSettings:
        """Settings of its `postgres` user and a database named `reliability` (created on first use)."""
        return DatabaseSettings(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            password="",
            database="reliability",
            ssl_disabled=True,
        )

    def pg_ctl(self, *arguments: str) -> None:
        """Run pg_ctl on this cluster (as the postgres user when this process is root)."""
        data = self.directory / "data"
        log = self.directory / "server.log"
        _run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", *arguments)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "stop")


def _run(*command: str) -> None:
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        command = ("su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command))
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@contextmanager
def own_cluster() -> Iterator[Cluster | None]:
    """A new cluster, started; None where the system has no PostgreSQL binaries. Stopped and removed
    afterwards."""
    bindir = _bindir()
    if bindir is None:
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="thoth-reliability-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
        _run(str(bindir / "initdb"), "-D", str(directory / "data"), "-U", "postgres", "-A", "trust")
        cluster = Cluster(bindir, directory, free_port())
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop("immediate")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
