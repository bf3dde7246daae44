"""Per call over stdio: a read tool against the sandbox on loopback, beside the SDK's floor and the raw call."""

from __future__ import annotations

import httpx2
from mcp import Client, StdioServerParameters

from harness import BARE, OURS, REPORT, Row, alternate, child_pid, cpu_seconds, median, ms, percentile
from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID, SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID

WARMUP = 30
ROUNDS = 400
TARGET = 1.10
ARGUMENTS = {"webhook_id": FIXTURE_WEBHOOK_ID}


def stdio(command: list[str], env: dict[str, str]) -> Client:
    return Client(StdioServerParameters(command=command[0], args=command[1:], env=env))


async def test_per_call_over_stdio(sandbox):
    env = sandbox.env()
    async with (
        stdio(OURS, env) as ours,
        stdio(OURS, sandbox.env(SINCH_MCP_LOG_LEVEL="INFO")) as audited,
        stdio([*BARE, "stdio"], env) as bare,
        httpx2.AsyncClient(base_url=sandbox.origin) as http,
    ):
        token = (
            await http.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET))
        ).json()["access_token"]
        path = f"/v1/projects/{SANDBOX_PROJECT_ID}/webhooks/{FIXTURE_WEBHOOK_ID}"

        async def call_ours():
            assert not (await ours.call_tool("get_webhook", ARGUMENTS)).is_error

        async def call_audited():
            assert not (await audited.call_tool("get_webhook", ARGUMENTS)).is_error

        async def call_bare():
            assert not (await bare.call_tool("get_webhook", ARGUMENTS)).is_error

        async def call_raw():
            (await http.get(path, headers={"Authorization": f"Bearer {token}"})).raise_for_status()

        contenders = {"ours": call_ours, "audited": call_audited, "bare": call_bare, "raw": call_raw}
        await alternate(contenders, WARMUP)
        pids = {"ours": child_pid("sinch_provisioning_mcp"), "bare": child_pid("bare_server.py")}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        times = await alternate(contenders, ROUNDS)
        cpu = {name: (cpu_seconds(pid) - cpu_before[name]) / ROUNDS for name, pid in pids.items()}

    ratio = median(times["ours"]) / median(times["bare"])
    p95_ratio = percentile(times["ours"], 0.95) / percentile(times["bare"], 0.95)
    REPORT.add(
        Row(
            "per call (stdio)",
            "median",
            ms(median(times["ours"])),
            f"bare MCPServer {ms(median(times['bare']))}; raw HTTP {ms(median(times['raw']))}",
            ratio,
            f"≤ {TARGET:.2f}× bare",
            ratio <= TARGET,
        ),
        Row(
            "per call (stdio)",
            "p95",
            ms(percentile(times["ours"], 0.95)),
            f"bare MCPServer {ms(percentile(times['bare'], 0.95))}; raw HTTP {ms(percentile(times['raw'], 0.95))}",
            p95_ratio,
        ),
        Row(
            "per call (stdio)",
            "median, SINCH_MCP_LOG_LEVEL=INFO (a log line per API call)",
            ms(median(times["audited"])),
            f"bare MCPServer {ms(median(times['bare']))}",
            median(times["audited"]) / median(times["bare"]),
        ),
        Row("per call (stdio)", "server CPU per call", ms(cpu["ours"]), f"bare MCPServer {ms(cpu['bare'])}", cpu["ours"] / cpu["bare"]),
    )
    assert ratio <= TARGET, f"per call: ours {ratio:.2f}× the bare MCPServer's median (target {TARGET}×)"
