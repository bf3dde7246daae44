"""The server over its real transports (stdio, streamable HTTP), the standalone sandbox, and the demo."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import unfence
from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID, SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings

STARTUP_TIMEOUT = 15.0
SERVER_ARGS = ["-m", "sinch_provisioning_mcp"]
WEBHOOK_SECRET = "transport-secret-4a8c2e6f"
EXPECTED_TOOLS = {"list_webhooks", "get_webhook", "create_webhook", "update_webhook", "delete_webhook"}


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before listening:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listened on 127.0.0.1:{port} within {STARTUP_TIMEOUT}s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def serve(args: list[str], tmp_path: Path, name: str) -> Iterator[tuple[int, Path]]:
    """Runs `python -m sinch_provisioning_mcp <args> <port>` until the test ends; yields the port and its log."""
    port = free_port()
    log = tmp_path / f"{name}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, *SERVER_ARGS, *args, str(port)],
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield port, log
    finally:
        stop(process)


async def round_trip(client: Client) -> tuple[dict, dict]:
    """create_webhook then list_webhooks; both must succeed."""
    created = await client.call_tool(
        "create_webhook",
        {"target": "https://example.com/sinch/transport", "secret": WEBHOOK_SECRET, "triggers": ["ALL"]},
    )
    assert not created.is_error, created.content
    listed = await client.call_tool("list_webhooks", {})
    assert not listed.is_error, listed.content
    return created.structured_content, listed.structured_content


# --- 7. stdio ----------------------------------------------------------------------------------


def parse_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Lines on the server's stdout the client could not read as JSON-RPC."""
    return [r.getMessage() for r in caplog.records if r.name.startswith("mcp.client") and r.levelno >= logging.ERROR]


async def test_stdio_lists_tools_and_round_trips(caplog):
    params = StdioServerParameters(command=sys.executable, args=[*SERVER_ARGS, "--sandbox"])
    with caplog.at_level(logging.WARNING):
        async with Client(params) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            created, listed = await round_trip(client)
            webhook_id = created["webhook"]["id"]
            got = await client.call_tool("get_webhook", {"webhook_id": webhook_id})
    assert EXPECTED_TOOLS <= tools
    assert created["environment"] == "sandbox" and created["verified"]["ok"] is True
    assert [w["id"] for w in listed["webhooks"] if w["id"] != FIXTURE_WEBHOOK_ID] == [webhook_id]
    assert not got.is_error
    assert unfence(got.structured_content["webhook"]["target"]) == "https://example.com/sinch/transport"
    assert got.structured_content["environment"] == "sandbox"
    assert WEBHOOK_SECRET not in got.model_dump_json()
    assert parse_failures(caplog) == []


async def test_stdio_logs_go_to_stderr_and_stdout_carries_only_protocol(caplog):
    params = StdioServerParameters(
        command=sys.executable, args=[*SERVER_ARGS, "--sandbox"], env={"SINCH_MCP_LOG_LEVEL": "INFO"}
    )
    with tempfile.TemporaryFile("w+") as errlog, caplog.at_level(logging.WARNING):
        async with Client(stdio_client(params, errlog=errlog)) as client:
            await round_trip(client)
        errlog.seek(0)
        stderr = errlog.read()
    # The API-call log lines were written, and to stderr ...
    assert '"event": "api_call"' in stderr
    assert '"method": "POST"' in stderr
    # ... redacted, and never on stdout: every stdout line parsed as JSON-RPC.
    assert WEBHOOK_SECRET not in stderr
    assert parse_failures(caplog) == []


def test_stdio_server_writes_nothing_to_stdout_on_its_own():
    """With no client talking, stdout stays empty: it belongs to the protocol alone."""
    done = subprocess.run(
        [sys.executable, *SERVER_ARGS, "--sandbox"],
        env=child_env(SINCH_MCP_LOG_LEVEL="DEBUG"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


# --- 8. streamable HTTP ------------------------------------------------------------------------


@pytest.fixture
def http_server(tmp_path) -> Iterator[int]:
    yield from (port for port, _ in serve(["--sandbox", "--transport", "http", "--port"], tmp_path, "http"))


async def test_streamable_http_lists_tools_and_round_trips(http_server):
    async with Client(f"http://127.0.0.1:{http_server}/mcp") as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        created, listed = await round_trip(client)
    assert EXPECTED_TOOLS <= tools
    assert created["environment"] == "sandbox" and created["project_id"] == SANDBOX_PROJECT_ID
    assert [w["id"] for w in listed["webhooks"] if w["id"] != FIXTURE_WEBHOOK_ID] == [created["webhook"]["id"]]


async def test_streamable_http_state_outlives_a_session(http_server):
    url = f"http://127.0.0.1:{http_server}/mcp"
    async with Client(url) as client:
        created, _ = await round_trip(client)
    async with Client(url) as client:
        listed = await client.call_tool("list_webhooks", {})
    assert [w["id"] for w in listed.structured_content["webhooks"] if w["id"] != FIXTURE_WEBHOOK_ID] == [created["webhook"]["id"]]


# --- 9. the standalone sandbox -----------------------------------------------------------------


@pytest.fixture
def sandbox_server(tmp_path) -> Iterator[tuple[int, Path]]:
    yield from serve(["sandbox", "--port"], tmp_path, "sandbox")


async def test_standalone_sandbox_speaks_oauth_and_the_api(sandbox_server):
    port, log = sandbox_server
    base = f"http://127.0.0.1:{port}"
    async with httpx2.AsyncClient(base_url=base, timeout=10) as http:
        token = await http.post(
            "/oauth2/token", auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET), data={"grant_type": "client_credentials"}
        )
        assert token.status_code == 200, token.text
        access_token = token.json()["access_token"]
        listed = await http.get(
            f"/v1/projects/{SANDBOX_PROJECT_ID}/webhooks", headers={"Authorization": f"Bearer {access_token}"}
        )
        refused = await http.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/webhooks")
        bad_key = await http.post(
            "/oauth2/token", auth=(SANDBOX_KEY_ID, "wrong"), data={"grant_type": "client_credentials"}
        )
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["webhooks"]] == [FIXTURE_WEBHOOK_ID]  # only the seeded fixture
    assert refused.status_code == 401
    assert bad_key.status_code == 401
    # The banner goes to stderr and tells how to point a server at it.
    banner = log.read_text()
    assert f"http://127.0.0.1:{port}" in banner and "SINCH_ALLOW_LOOPBACK=1" in banner


async def test_mcp_server_against_standalone_sandbox_over_real_http(sandbox_server, monkeypatch):
    port, _ = sandbox_server
    base = f"http://127.0.0.1:{port}"
    for name, value in {
        "SINCH_PROVISIONING_URL": base,
        "SINCH_AUTH_URL": f"{base}/oauth2/token",
        "SINCH_ALLOW_LOOPBACK": "1",
        "SINCH_PROJECT_ID": SANDBOX_PROJECT_ID,
        "SINCH_KEY_ID": SANDBOX_KEY_ID,
        "SINCH_KEY_SECRET": SANDBOX_KEY_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.sandbox is False and settings.missing_credentials() == []
    async with Client(build_server(settings)) as client:
        created, listed = await round_trip(client)
    assert created["environment"] == "sinch" and listed["environment"] == "sinch"
    assert created["project_id"] == SANDBOX_PROJECT_ID
    assert created["verified"]["ok"] is True
    assert [w["id"] for w in listed["webhooks"] if w["id"] != FIXTURE_WEBHOOK_ID] == [created["webhook"]["id"]]
    # The webhook lives in the other process: a plain client sees it there.
    async with httpx2.AsyncClient(base_url=base, auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET), timeout=10) as http:
        seen = await http.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/webhooks")
    assert [w["id"] for w in seen.json()["webhooks"] if w["id"] != FIXTURE_WEBHOOK_ID] == [created["webhook"]["id"]]


# --- 10. the demo ------------------------------------------------------------------------------


def test_demo_completes():
    done = subprocess.run(
        [sys.executable, *SERVER_ARGS, "demo"],
        env=child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Demo complete" in done.stdout
    assert "Connected over stdio" in done.stdout
    assert "✗" not in done.stdout
    assert "Demo failed" not in done.stderr
    # Each step was shown: waiting with progress, events received, the confirmation's preview.
    for shown in ("whatsapp_sender is PENDING_VERIFICATION", "• WHATSAPP_TEMPLATE_APPROVED", '"status": "confirmation_required"'):
        assert shown in done.stdout
