"""Hosted mode (issue #16): two replicas sharing Redis against one, over streamable HTTP.

Fifty clients call a read tool against the loopback sandbox, each call sent to the next replica
in turn (what a round-robin balancer without session affinity does); the same load against one
replica of the same configuration (Redis, stateless, JSON responses) is the comparison, the two
taking turns. Everything runs on this machine's two cores: the load generator, the sandbox, Redis
and the replicas share them, so the throughput ratio is what a second process brings on a machine
already busy, not what a second machine would; the servers' CPU per call, summed over the replicas,
says what scaling out costs per call. Checked: no errors, and one OAuth token for all the replicas.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio
import httpx2

from harness import OURS, REPORT, Row, cpu_seconds, free_port, median, ms, process
from test_concurrency import Run, cpu_per_call, p95, throughput, timed_call

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from redis_support import start_redis  # noqa: E402

CLIENTS = 50
CALLS = 1_000  # per run, spread over the clients
ROUNDS = 4
PROTOCOL = "2025-06-18"
CONFIRM_SECRET = "benchmark-confirm-secret-0123456789abcdef"
_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": PROTOCOL}


async def _client(http: httpx2.AsyncClient, urls: list[str], offset: int, calls: int, go: anyio.Event, run: Run) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
    }
    await http.post(urls[offset % len(urls)], json=initialize, headers=_HEADERS)
    run.sessions += 1
    await go.wait()
    for number in range(1, calls + 1):
        # The next replica, as a round-robin balancer sends it.
        await timed_call(http, urls[(offset + number) % len(urls)], number, _HEADERS, run)
    run.last_answer = max(run.last_answer, time.perf_counter())


async def load(urls: list[str]) -> Run:
    run = Run()
    go = anyio.Event()
    limits = httpx2.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx2.AsyncClient(limits=limits, timeout=60) as http, anyio.create_task_group() as tasks:
        for offset in range(CLIENTS):
            tasks.start_soon(_client, http, urls, offset, CALLS // CLIENTS, go, run)
        while run.sessions < CLIENTS:
            await anyio.sleep(0.01)
        started = time.perf_counter()
        go.set()
    run.seconds = run.last_answer - started
    return run


def test_two_replicas_against_one(sandbox, tmp_path_factory):
    redis = start_redis(tmp_path_factory)
    env = sandbox.env(
        SINCH_MCP_REDIS_URL=redis.url,
        SINCH_MCP_CONFIRM_SECRET=CONFIRM_SECRET,
        SINCH_MCP_HTTP_JSON_RESPONSE="1",
        SINCH_MCP_HTTP_MAX_CONNECTIONS="1000",
    )
    ports = [free_port() for _ in range(3)]

    def ready(port: int) -> bool:
        return httpx2.get(f"http://127.0.0.1:{port}/readyz").status_code == 200

    fetched = sandbox.token_fetches()
    try:
        with (
            process([*OURS, "--transport", "http", "--port", str(ports[0])], env, lambda: ready(ports[0])) as first,
            process([*OURS, "--transport", "http", "--port", str(ports[1])], env, lambda: ready(ports[1])) as second,
            process([*OURS, "--transport", "http", "--port", str(ports[2])], env, lambda: ready(ports[2])) as alone,
        ):
            # The single replica is a process of its own: the pair's first one has no warm start on it.
            contenders = {"one": [f"http://127.0.0.1:{ports[2]}/mcp"], "two": [f"http://127.0.0.1:{port}/mcp" for port in ports[:2]]}
            pids = {"one": [alone.pid], "two": [first.pid, second.pid]}
            runs: dict[str, list[Run]] = {"one": [], "two": []}
            for round_number in range(ROUNDS):
                for name in sorted(runs, reverse=bool(round_number % 2)):
                    before = sum(cpu_seconds(pid) for pid in pids[name])
                    run = anyio.run(load, contenders[name])
                    run.cpu_seconds = sum(cpu_seconds(pid) for pid in pids[name]) - before
                    runs[name].append(run)
    finally:
        redis.stop()
    fetches = sandbox.token_fetches() - fetched

    one, two = runs["one"], runs["two"]
    ratio = median([pair.throughput / alone.throughput for alone, pair in zip(one, two, strict=True)])
    errors = {name: sum(run.errors for run in runs[name]) for name in runs}
    section = f"hosted (Redis), {CLIENTS} clients, JSON responses"
    rows = [
        Row(section, "throughput, two replicas round-robin (ratio: of paired turns)", f"{throughput(two):.0f} calls/s",
            f"one replica {throughput(one):.0f} calls/s", ratio),
        Row(section, "p95", ms(p95(two)), f"one replica {ms(p95(one))}", p95(two) / p95(one)),
        Row(section, "server CPU per call, all replicas", ms(cpu_per_call(two)), f"one replica {ms(cpu_per_call(one))}",
            cpu_per_call(two) / cpu_per_call(one)),
        Row(section, "errors", str(errors["two"]), f"one replica {errors['one']}", target="none", met=not any(errors.values())),
        Row(section, "OAuth token fetches, three replicas sharing Redis", str(fetches), target="exactly 1", met=fetches == 1),
    ]  # fmt: skip
    REPORT.add(*rows)
    assert not any(errors.values()), errors
    assert fetches == 1
