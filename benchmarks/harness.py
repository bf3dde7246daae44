"""What the benchmarks share: the loopback sandbox, the contenders' commands, alternating runs,
statistics and the one report `make bench` prints.

Every figure is a ratio to a comparison measured in the same run, the contenders taking turns,
so a slow or busy machine slows them alike.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx2

from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = ROOT / "build" / "bench.json"
OURS = [sys.executable, "-m", "sinch_provisioning_mcp"]
BARE = [sys.executable, str(HERE / "bare_server.py")]
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """This environment without the machine's own Sinch settings, plus `extra`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}, **extra}


@contextmanager
def process(args: list[str], env: dict[str, str], ready: Callable[[], bool]) -> Iterator[subprocess.Popen]:
    """A child process until the block ends; `ready` is polled until it answers True.

    Its stderr goes to a file: a pipe nobody reads would fill and stall a server that logs.
    """
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _answers(ready):
                if child.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"{args} did not start ({child.returncode}): {log.read().decode()[-2000:]}")
                time.sleep(0.05)
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _answers(ready: Callable[[], bool]) -> bool:
    try:
        return ready()
    except httpx2.TransportError:
        return False


@dataclass(frozen=True)
class Sandbox:
    """The sandbox served on loopback (`sandbox_server.py`), as a real deployment reaches Sinch."""

    origin: str

    def env(self, **extra: str) -> dict[str, str]:
        """What a server pointed at this sandbox is configured with."""
        return child_env(
            SINCH_PROVISIONING_URL=self.origin,
            SINCH_AUTH_URL=f"{self.origin}/oauth2/token",
            SINCH_ALLOW_LOOPBACK="1",
            SINCH_KEY_ID=SANDBOX_KEY_ID,
            SINCH_KEY_SECRET=SANDBOX_KEY_SECRET,
            SINCH_PROJECT_ID=SANDBOX_PROJECT_ID,
            **extra,
        )

    def token_fetches(self) -> int:
        return httpx2.get(f"{self.origin}/_bench/token-fetches").json()["tokenFetches"]

    def seed(self, resource_type: str, count: int) -> None:
        httpx2.post(
            f"{self.origin}/_sandbox/projects/{SANDBOX_PROJECT_ID}/seed",
            json={"resourceType": resource_type, "count": count},
            auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET),
            timeout=60,
        ).raise_for_status()


@contextmanager
def loopback_sandbox() -> Iterator[Sandbox]:
    port = free_port()
    sandbox = Sandbox(f"http://127.0.0.1:{port}")
    with process([sys.executable, str(HERE / "sandbox_server.py"), str(port)], child_env(), lambda: sandbox.token_fetches() >= 0):
        yield sandbox


async def alternate(contenders: dict[str, Callable[[], Awaitable[object]]], rounds: int) -> dict[str, list[float]]:
    """Seconds each contender took, `rounds` times each, taking turns (the order rotates every round)."""
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            await contenders[name]()
            times[name].append(time.perf_counter() - started)
    return times


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pid(marker: str) -> int:
    """The pid of this process's first child (the earliest started) whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if parent == os.getpid() and marker in command:
            found.append(int(entry.name))
    if not found:
        raise LookupError(f"no child process running {marker}")
    return min(found)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return percentile(values, 0.5)


@dataclass(frozen=True)
class Row:
    section: str
    measure: str
    ours: str
    comparison: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None  # None: reported, no target


class Report:
    """The one table `make bench` prints (and writes as JSON)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def add(self, *rows: Row) -> None:
        self.rows.extend(rows)

    def table(self) -> str:
        lines = ["| benchmark | measure | ours | comparison (same run) | ratio | target |", "|---|---|---|---|---|---|"]
        for row in self.rows:
            ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
            verdict = "" if row.met is None else (" met" if row.met else " **missed**")
            target = f"{row.target}{verdict}" if row.target else ""
            lines.append(f"| {row.section} | {row.measure} | {row.ours} | {row.comparison} | {ratio} | {target} |")
        return "\n".join(lines + [f"\n{note}" for note in self.notes])

    def write(self) -> None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"rows": [asdict(row) for row in self.rows], "notes": self.notes}, indent=2) + "\n")


REPORT = Report()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
