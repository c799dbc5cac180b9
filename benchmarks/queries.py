"""Median latency of the 20 most-used read queries on a database filled from the real documents,
with and without the adapter's query cache.

    KNOWLEDGE_GRAPH_HOST=127.0.0.1 .venv/bin/python benchmarks/queries.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import new_database
from tests.queries.conftest import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.sync import sync_documents

URL = "https://pypi.example.org/simple"


def workload(graph: GraphDatabase) -> dict[str, Callable[[], object]]:
    """The 20 read queries the adviser and the solver scheduling call most (cached ones first)."""
    return {
        "get_python_package_version_records*": lambda: graph.get_python_package_version_records(
            "numpy", "1.26.0", URL
        ),
        "get_depends_on*": lambda: graph.get_depends_on("flask", "2.2.2", URL),
        "has_python_solver_error*": lambda: graph.has_python_solver_error("numpy", "1.26.0", URL),
        "get_python_environment_marker*": lambda: graph.get_python_environment_marker(
            "flask", "2.2.2", URL, "click", None, os_name="debian", os_version="12", python_version="3.8"
        ),
        "python_package_version_exists": lambda: graph.python_package_version_exists("flask", "2.2.2", URL),
        "python_package_exists": lambda: graph.python_package_exists("flask"),
        "get_python_package_versions_all": lambda: graph.get_python_package_versions_all(),
        "get_python_package_versions_count_all": lambda: graph.get_python_package_versions_count_all(),
        "get_solved_python_packages_all": lambda: graph.get_solved_python_packages_all(),
        "get_python_packages_all": lambda: graph.get_python_packages_all(),
        "get_python_packages_count_all": lambda: graph.get_python_packages_count_all(),
        "get_unsolved_python_package_versions_all": lambda: graph.get_unsolved_python_package_versions_all(),
        "get_error_solved_python_package_versions_all": lambda: (
            graph.get_error_solved_python_package_versions_all()
        ),
        "get_python_package_version_dependents_all": lambda: graph.get_python_package_version_dependents_all(
            "six"
        ),
        "get_python_package_versions_count_per_version": lambda: (
            graph.get_python_package_versions_count_per_version("tensorflow")
        ),
        "get_ecosystem_solver_all": lambda: graph.get_ecosystem_solver_all(),
        "get_solver_documents_count_all": lambda: graph.get_solver_documents_count_all(),
        "get_last_solver_datetime": lambda: graph.get_last_solver_datetime(),
        "get_python_package_index_urls_all": lambda: graph.get_python_package_index_urls_all(),
        "get_software_environments_count_all": lambda: graph.get_software_environments_count_all(),
    }


def median_ms(call: Callable[[], object], repeat: int, clear: Callable[[], None] | None) -> float:
    times = []
    for _ in range(repeat):
        if clear is not None:
            clear()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat
    with new_database() as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        graph.initialize_schema()
        sync_documents(real_documents(), graceful=True, graph=graph, is_local=True)
        print(f"{'query (* = cached)':48} {'no cache ms':>12} {'cache ms':>10}")
        for name, call in workload(graph).items():
            cold = median_ms(call, repeat, graph.cache_clear)
            call()
            warm = median_ms(call, repeat, None)
            print(f"{name:48} {cold:12.3f} {warm:10.3f}")
        graph.disconnect()


if __name__ == "__main__":
    main()
