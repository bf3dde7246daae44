"""Cold start: from spawning the server to its answer to tools/list, over stdio, beside a bare MCPServer."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time

import pytest

from harness import BARE, OURS, REPORT, Row, median, ms

ROUNDS = 7
TARGET = 1.15
TOP_IMPORTS = 6
_HANDSHAKE = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def start_to_tools_list(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawn to the tools/list answer, and what the process wrote on stderr."""
    with tempfile.TemporaryFile("w+") as errors:  # a file, not a pipe: nobody reads it while the server runs
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("".join(json.dumps(message) + "\n" for message in _HANDSHAKE))
        child.stdin.flush()
        for line in child.stdout:
            if json.loads(line).get("id") == 2:
                break
        elapsed = time.perf_counter() - started
        child.stdin.close()  # end of input: the server exits
        child.wait(timeout=30)
        child.stdout.close()
        errors.seek(0)
        return elapsed, errors.read()


def import_profile(stderr: str) -> list[tuple[str, float]]:
    """Import time of a `-X importtime` run by top-level package, slowest first (milliseconds of
    each module's own time, which includes the classes its body builds, pydantic models among them)."""
    totals: dict[str, float] = {}
    for match in filter(None, map(_IMPORT_LINE.match, stderr.splitlines())):
        package = match.group(4).partition(".")[0]
        totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1000
    return sorted(totals.items(), key=lambda entry: -entry[1])


@pytest.mark.xfail(
    strict=True,
    reason="known miss (README, Performance): building the 87 typed tools before tools/list; one toolset starts "
    "at about 1.08x. Strict: when it passes, remove this mark.",
)
def test_cold_start(sandbox):
    env = sandbox.env()
    # One toolset: what the families cost, as a session that serves one would start.
    contenders = {"ours": OURS, "one toolset": [*OURS, "--toolsets", "webhooks"], "bare": [*BARE, "stdio"]}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(ROUNDS):
        shift = round_number % len(contenders)
        for name in [*contenders][shift:] + [*contenders][:shift]:
            times[name].append(start_to_tools_list(contenders[name], env)[0])
    _, stderr = start_to_tools_list([OURS[0], "-X", "importtime", *OURS[1:]], env)
    profile = import_profile(stderr)

    ratio = median(times["ours"]) / median(times["bare"])
    REPORT.add(
        Row(
            "cold start (stdio)",
            "spawn to tools/list answered, median",
            ms(median(times["ours"])),
            f"bare MCPServer {ms(median(times['bare']))}",
            ratio,
            f"≤ {TARGET:.2f}× bare",
            ratio <= TARGET,
        ),
        Row(
            "cold start (stdio)",
            "ours serving one toolset (--toolsets webhooks, 5 tools)",
            ms(median(times["one toolset"])),
            f"bare MCPServer {ms(median(times['bare']))}",
            median(times["one toolset"]) / median(times["bare"]),
        ),
        Row(
            "cold start (stdio)",
            "import time by package (-X importtime, own time)",
            ", ".join(f"{name} {seconds:.0f} ms" for name, seconds in profile[:TOP_IMPORTS]),
        ),
    )
    assert ratio <= TARGET, f"cold start: ours {ratio:.2f}× the bare MCPServer's (target {TARGET}×)"
