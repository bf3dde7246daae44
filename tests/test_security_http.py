"""The HTTP transport as an attacker meets it: real server processes on free ports.

Finding 1 (DNS rebinding on loopback binds the SDK does not recognise) and the transport
fit to be exposed: API keys, Host/Origin, body, header, connection and session limits,
health endpoints, graceful drain.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from http_support import STARTUP_TIMEOUT, Served, child_env, free_port, serving
from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID

KEY_A = secrets.token_hex(32)
KEY_B = secrets.token_hex(32)
PUBLIC_NAME = "mcp.example.test"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
MCP_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


def keyed_env(**extra: str) -> dict[str, str]:
    return {"SINCH_MCP_API_KEYS": f"{KEY_A}, {KEY_B}", "SINCH_MCP_ALLOWED_HOSTS": PUBLIC_NAME, **extra}


def client_for(url: str, **headers: str) -> Client:
    """An MCP client over streamable HTTP sending `headers` on every request."""
    return Client(streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers, timeout=30)))


def post(served: Served, body: object = INITIALIZE, **headers: str) -> httpx2.Response:
    return httpx2.post(served.url(), content=json.dumps(body), headers={**MCP_HEADERS, **headers}, timeout=10)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sinch_provisioning_mcp", *args],
        env=child_env(**(env or {})),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


# --- finding 1: DNS rebinding, on every loopback bind ---------------------------------------------

# How each loopback spelling is reached: the SDK protected only the first of each pair's kind.
LOOPBACK_BINDS = [("127.0.0.2", "127.0.0.2"), ("Localhost", "127.0.0.1"), ("0:0:0:0:0:0:0:1", "[::1]")]


@pytest.mark.parametrize(("host", "connect"), LOOPBACK_BINDS)
async def test_dns_rebinding_is_refused_on_every_loopback_bind(tmp_path, host, connect):
    """A page on attacker.example whose name now resolves to this loopback address cannot drive the server."""
    create = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "create_webhook", "arguments": {"target": "https://attacker.example/x", "secret": "s" * 16, "triggers": ["ALL"]}},
    }
    with serving(tmp_path, "--sandbox", "--host", host, connect=connect) as served:
        rebound = f"attacker.example:{served.port}"
        refused = [
            post(served, INITIALIZE, host=rebound),  # the rebinding request names the attacker's host
            post(served, create, host=rebound),
            post(served, INITIALIZE, origin="http://attacker.example"),  # or comes from the attacker's page
            post(served, INITIALIZE, origin=f"http://attacker.example:{served.port}"),
        ]
        async with Client(served.url()) as client:  # the same server, asked properly
            listed = await client.call_tool("list_webhooks", {})
    assert [r.status_code for r in refused] == [421, 421, 403, 403]
    # Only the seeded fixture: the rebound create never reached the API.
    assert not listed.is_error and [w["id"] for w in listed.structured_content["webhooks"]] == [FIXTURE_WEBHOOK_ID]


# --- API keys, on a bind beyond loopback --------------------------------------------------------


def test_beyond_loopback_without_keys_refuses_to_start():
    done = run_cli("--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", "9")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "SINCH_MCP_API_KEYS" in done.stderr
    assert done.stderr.startswith("configuration error: --host 0.0.0.0 is not a loopback address")


def test_every_address_without_allowed_hosts_refuses_to_start():
    done = run_cli("--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", "9", env={"SINCH_MCP_API_KEYS": KEY_A})
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "SINCH_MCP_ALLOWED_HOSTS" in done.stderr


@pytest.mark.parametrize("keys", ["short-key", f"{KEY_A},{'x' * 31}", f"{KEY_A[:20]} {KEY_A[20:]}"])
def test_weak_keys_refuse_to_start_without_showing_them(keys):
    done = run_cli("--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", "9", env={"SINCH_MCP_API_KEYS": keys})
    assert done.returncode == 2 and done.stderr.startswith("configuration error: SINCH_MCP_API_KEYS: key ")
    assert done.stderr.count("\n") == 1
    for key in keys.split(","):
        assert key.strip() not in done.stderr


async def test_keys_guard_every_call_and_sessions_answer_to_their_key(tmp_path):
    with serving(tmp_path, "--sandbox", "--host", "0.0.0.0", env=keyed_env()) as served:
        public = {"host": PUBLIC_NAME}
        missing = post(served, **public)
        wrong = post(served, **public, authorization=f"Bearer {secrets.token_hex(32)}")
        wrong_scheme = post(served, **public, authorization=f"Basic {KEY_A}")
        wrong_host = post(served, host=f"127.0.0.1:{served.port}", authorization=f"Bearer {KEY_A}")
        async with client_for(served.url(), Host=PUBLIC_NAME, Authorization=f"Bearer {KEY_A}") as client:
            created = await client.call_tool(
                "create_webhook", {"target": "https://example.com/keyed", "secret": "keyed-secret-123", "triggers": ["ALL"]}
            )
        async with client_for(served.url(), Host=PUBLIC_NAME, Authorization=f"Bearer {KEY_B}") as client:  # rotation
            listed = await client.call_tool("list_webhooks", {})
        opened = post(served, **public, authorization=f"Bearer {KEY_A}")
        session = {"mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        ping = {"jsonrpc": "2.0", "id": 9, "method": "ping"}
        other_key = post(served, ping, **public, **session, authorization=f"Bearer {KEY_B}")
        same_key = post(served, ping, **public, **session, authorization=f"Bearer {KEY_A}")
        health = httpx2.get(served.url("/healthz"))
        ready = httpx2.get(served.url("/readyz"))
        log = served.log.read_text()
    for refused in (missing, wrong, wrong_scheme):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer ")
    assert wrong_host.status_code == 421
    assert not created.is_error and {w["id"] for w in listed.structured_content["webhooks"]} == {
        created.structured_content["webhook"]["id"], FIXTURE_WEBHOOK_ID
    }
    assert other_key.status_code == 404 and same_key.status_code == 200
    assert health.status_code == 200 and ready.json() == {"status": "ready"}
    assert KEY_A not in log and KEY_B not in log


# --- limits ----------------------------------------------------------------------------------


async def test_oversize_bodies_are_refused_before_they_are_read(tmp_path):
    env = keyed_env(SINCH_MCP_HTTP_MAX_BODY_BYTES="4096")
    big = {**INITIALIZE, "params": {**INITIALIZE["params"], "padding": "x" * 8192}}
    with serving(tmp_path, "--sandbox", "--host", "0.0.0.0", env=env) as served:
        authorised = post(served, big, host=PUBLIC_NAME, authorization=f"Bearer {KEY_A}")
        anonymous = post(served, big, host=PUBLIC_NAME)
        fits = post(served, INITIALIZE, host=PUBLIC_NAME, authorization=f"Bearer {KEY_A}")
    assert authorised.status_code == 413
    assert anonymous.status_code == 401
    assert fits.status_code == 200


async def test_sessions_are_limited(tmp_path):
    with serving(tmp_path, "--sandbox", env={"SINCH_MCP_HTTP_MAX_SESSIONS": "1"}) as served:
        first = post(served)
        second = post(served)
        ended = httpx2.delete(
            served.url(), headers={"mcp-session-id": first.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        )
        # The first session ended, so there is room again (once the server has forgotten it).
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while (after := post(served)).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert first.status_code == 200 and ended.status_code == 200
    assert second.status_code == 503
    assert after.status_code == 200


def _half_open(port: int) -> socket.socket:
    """A connection that starts a request and never finishes its headers."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=STARTUP_TIMEOUT)
    sock.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    return sock


def test_half_open_connections_are_closed_at_the_header_deadline(tmp_path):
    with serving(tmp_path, "--sandbox", env={"SINCH_MCP_HTTP_HEADER_TIMEOUT_SECONDS": "1"}) as served:
        slow = [_half_open(served.port) for _ in range(20)]
        try:
            # recv returns b"" once the server closes the connection; one it never closes makes
            # recv time out instead.
            closed = [sock.recv(1024) for sock in slow]
        finally:
            for sock in slow:
                sock.close()
        healthy = httpx2.get(served.url("/healthz"), timeout=10)
    assert closed == [b""] * 20
    assert healthy.status_code == 200


def test_connections_are_limited(tmp_path):
    with serving(tmp_path, "--sandbox", env={"SINCH_MCP_HTTP_MAX_CONNECTIONS": "4"}) as served:
        slow = [_half_open(served.port) for _ in range(4)]
        try:
            crowded = httpx2.get(served.url("/healthz"), timeout=10)
        finally:
            for sock in slow:
                sock.close()
        # Room again once the server has seen them go.
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while (status := httpx2.get(served.url("/healthz"), timeout=10).status_code) == 503 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert crowded.status_code == 503
    assert status == 200


# --- health ----------------------------------------------------------------------------------


def test_readiness_says_when_the_api_is_not_configured(tmp_path):
    with serving(tmp_path) as served:  # no --sandbox, no credentials
        health = httpx2.get(served.url("/healthz"))
        ready = httpx2.get(served.url("/readyz"))
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert ready.status_code == 503 and ready.json()["status"] == "not ready"
    assert "not configured for the Sinch API" in ready.json()["reasons"]


# --- graceful shutdown --------------------------------------------------------------------------


class SlowSinch:
    """A stand-in for the Sinch API on loopback whose webhook listing waits until the test releases it."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                outer.arrived.set()
                outer.release.wait(STARTUP_TIMEOUT)
                body = json.dumps({"webhooks": [], "totalSize": 0, "pageSize": 15}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.http.shutdown()
        self.http.server_close()


def accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


async def test_shutdown_drains_the_call_in_flight(tmp_path):
    upstream = SlowSinch()
    env = {
        "SINCH_PROVISIONING_URL": upstream.base,
        "SINCH_AUTH_URL": f"{upstream.base}/oauth2/token",
        "SINCH_ALLOW_LOOPBACK": "1",
        "SINCH_AUTH_MODE": "basic",
        "SINCH_PROJECT_ID": "drain-project",
        "SINCH_KEY_ID": "drain-key-id",
        "SINCH_KEY_SECRET": "drain-key-secret",
        "SINCH_MCP_LOG_LEVEL": "INFO",  # uvicorn reports the shutdown's steps at INFO
    }
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_webhooks", "arguments": {}}}
    try:
        with serving(tmp_path, env=env) as served:
            session = {"mcp-session-id": post(served).headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
            post(served, {"jsonrpc": "2.0", "method": "notifications/initialized"}, **session)
            async with httpx2.AsyncClient(timeout=STARTUP_TIMEOUT) as http, anyio.create_task_group() as tasks:
                answers: list[httpx2.Response] = []

                async def in_flight() -> None:
                    answers.append(await http.post(served.url(), json=call, headers={**MCP_HEADERS, **session}))

                tasks.start_soon(in_flight)
                assert await anyio.to_thread.run_sync(upstream.arrived.wait, STARTUP_TIMEOUT)
                served.process.send_signal(signal.SIGTERM)
                # The listener closes first: no new connection, while the call is still in flight.
                while await anyio.to_thread.run_sync(accepting, served.port):
                    await anyio.sleep(0.05)
                upstream.release.set()
            returncode = served.process.wait(timeout=STARTUP_TIMEOUT)
            log = served.log.read_text()
    finally:
        upstream.close()
    [answer] = answers
    data = [line.removeprefix("data: ") for line in answer.text.splitlines() if line.startswith("data: ")]
    result = json.loads(data[-1])["result"]
    assert answer.status_code == 200 and not result["isError"], result
    assert result["structuredContent"]["project_id"] == "drain-project"
    assert returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log and "Cancel" not in log
