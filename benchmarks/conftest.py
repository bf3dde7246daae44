"""The benchmarks' shared sandbox, and the one table printed (and written as JSON) at the end."""

from __future__ import annotations

import pytest

from harness import REPORT, RESULTS, loopback_sandbox


# The table's order, the issue's: modules not listed (other benchmarks) run after these.
ORDER = ("test_per_call", "test_cold_start", "test_context", "test_large_lists", "test_concurrency")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.module.__name__.rpartition(".")[2]
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=rank)


@pytest.fixture(scope="session")
def sandbox():
    with loopback_sandbox() as served:
        yield served


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_terminal_summary(terminalreporter):
    if REPORT.rows:
        REPORT.write()
        terminalreporter.write_sep("=", f"benchmarks (also in {RESULTS.relative_to(RESULTS.parents[1])})")
        terminalreporter.write_line(REPORT.table())
