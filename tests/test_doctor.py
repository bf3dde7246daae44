"""`sinch-provisioning-mcp doctor`: each line's wording and the exit status, against the embedded
sandbox, a standalone sandbox over loopback, a mock Sinch, and missing or refused settings."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from conftest import RecordingTransport
from sinch_provisioning_mcp.cli import main
from sinch_provisioning_mcp.doctor import run_doctor
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.server.toolsets import TOOLSETS, select_tools

PROJECT = "proj-doctor-1"
CANARIES = {
    "SINCH_KEY_ID": "canary-key-id-7f3a9c21",
    "SINCH_KEY_SECRET": "canary-key-secret-2b8e4d90",
    "SINCH_ACCESS_TOKEN": "canary-access-token-5c1d7e3f",
    "SINCH_MCP_CONFIRM_SECRET": "canary-confirm-secret-9a4b6c2e",
}
ISSUED_TOKEN = "issued-token-doctor-4e7a1b93"
# Where Claude Desktop keeps its configuration, under the home folder (APPDATA and XDG_CONFIG_HOME unset).
DESKTOP_DIR = {"darwin": "Library/Application Support/Claude", "win32": "AppData/Roaming/Claude"}.get(sys.platform, ".config/Claude")
TIMEOUT = 20.0


@dataclass
class Report:
    exit_code: int
    out: str
    lines: list[tuple[str, str, str, str]]  # status, check, detail, fix

    def only(self, check: str) -> tuple[str, str, str]:
        found = [(status, detail, fix) for status, name, detail, fix in self.lines if name == check]
        assert len(found) == 1, f"one {check!r} line expected:\n{self.out}"
        return found[0]

    def statuses(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for status, name, _, _ in self.lines:
            result.setdefault(name, []).append(status)
        return result

    def failed(self) -> list[str]:
        return [name for status, name, _, _ in self.lines if status == "FAIL"]


def parse(exit_code: int, out: str) -> Report:
    """Check lines are `STATUS check detail`, each optionally followed by an indented `fix: ...`."""
    lines: list[tuple[str, str, str, str]] = []
    for text in out.splitlines()[1:-1]:
        if text.startswith(" " * 25 + "fix: "):
            status, name, detail, _ = lines[-1]
            lines[-1] = (status, name, detail, text.strip().removeprefix("fix: "))
        else:
            assert text[:5].strip() in {"OK", "FAIL", "WARN", "SKIP", "INFO"}, text
            lines.append((text[:5].strip(), text[6:24].strip(), text[25:], ""))
    return Report(exit_code, out, lines)


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """The doctor sets up logging as the CLI does; later tests get the root logger back as it was."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.fixture(autouse=True)
def isolated_machine(tmp_path, monkeypatch) -> Path:
    """An empty home and project folder: the doctor reads client files from both."""
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "APPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(project)
    return home


@pytest.fixture
def doctor(capsys) -> Callable[..., Report]:
    """`doctor(*cli_args)` through the CLI, or `doctor(transport=...)` with the network replaced."""

    def run(*args: str, transport: httpx2.AsyncBaseTransport | None = None) -> Report:
        code = run_doctor({}, transport=transport) if transport else main(["doctor", *args])
        captured = capsys.readouterr()
        assert captured.err == "", "the doctor reports on stdout only"
        return parse(code, captured.out)

    return run


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in (*CANARIES.values(), ISSUED_TOKEN, *secrets):
        assert secret not in text


# --- the embedded sandbox ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--sandbox"], []], ids=["flag", "variable"])
def test_sandbox_passes_every_check_and_exits_0(doctor, monkeypatch, args):
    if not args:
        monkeypatch.setenv("SINCH_MCP_SANDBOX", "1")
    report = doctor(*args)
    assert report.exit_code == 0, report.out
    assert report.failed() == []
    assert report.only("credentials")[:2] == ("OK", "not needed: the embedded sandbox has its own, and nothing real is read or changed")
    assert report.only("URL allowlist")[:2] == ("OK", "http://sandbox.invalid: the sandbox runs in this process; no request leaves it")
    assert report.only("token")[:2] == ("OK", "issued by the embedded sandbox")
    assert report.only("project")[:2] == ("OK", f"GET /v1/projects/{SANDBOX_PROJECT_ID}/webhooks answered: 1 webhook(s), read only")
    served = select_tools(None, read_only=False)
    toolsets = ", ".join(dict.fromkeys(spec.toolset for spec in served))
    assert report.only("tools")[:2] == ("OK", f"full mode: {len(served)} tools from toolsets {toolsets}")
    assert report.out.splitlines()[-1] == "The server would work as configured."


def test_flags_before_the_subcommand_count_too(capsys):
    assert main(["--sandbox", "--read-only", "doctor", "--mode", "compact"]) == 0
    report = parse(0, capsys.readouterr().out)
    assert report.only("variables")[1] == "set (environment or flags): SINCH_MCP_SANDBOX=true, SINCH_MCP_READ_ONLY=true, SINCH_MCP_MODE=compact"
    reads = select_tools(None, read_only=True)
    toolsets = ", ".join(dict.fromkeys(spec.toolset for spec in select_tools(None, read_only=False)))
    assert report.only("tools")[:2] == ("OK", f"compact mode, read-only: 3 tools over {len(reads)} operations from toolsets {toolsets}")


def test_unknown_toolset_fails_the_tools_line(doctor):
    report = doctor("--sandbox", "--toolsets", "webhooks,nope")
    assert report.exit_code == 1
    status, detail, fix = report.only("tools")
    assert status == "FAIL"
    assert detail == f"unknown toolset(s) nope; choose from {', '.join(TOOLSETS)}"
    assert fix == "set SINCH_MCP_TOOLSETS (or --toolsets) to names from that list, or unset it for the default"
    assert report.only("project")[0] == "OK", "the other checks still ran"


# --- missing and refused settings ----------------------------------------------------------------


def test_missing_variables_each_fail_with_their_fix(doctor):
    report = doctor()
    assert report.exit_code == 1
    assert report.failed() == ["SINCH_PROJECT_ID", "SINCH_KEY_ID", "SINCH_KEY_SECRET"]
    assert report.only("variables")[1] == "none set: every setting at its default"
    assert report.only("SINCH_PROJECT_ID") == (
        "FAIL", "not set", "set SINCH_PROJECT_ID to your project id (Sinch dashboard), or run with --sandbox to try the simulator"
    )
    assert report.only("SINCH_KEY_SECRET")[2].startswith("set SINCH_KEY_SECRET to that access key's secret")
    assert report.only("token") == ("SKIP", "needs the credentials above", "")
    assert report.only("project") == ("SKIP", "needs the credentials above", "")
    # The default URLs are the Sinch hosts, and the tools would still be served.
    assert report.statuses()["URL allowlist"] == ["OK", "OK"]
    assert report.only("tools")[0] == "OK"
    assert report.out.splitlines()[-1].startswith("3 problem(s): the server would not work as configured.")


def test_only_the_missing_secret_fails(doctor, monkeypatch):
    set_env(monkeypatch, SINCH_PROJECT_ID=PROJECT, SINCH_KEY_ID=CANARIES["SINCH_KEY_ID"])
    report = doctor()
    assert report.failed() == ["SINCH_KEY_SECRET"]
    assert report.only("variables")[1] == f"set (environment or flags): SINCH_PROJECT_ID={PROJECT}, SINCH_KEY_ID (set, not shown)"
    assert_no_secret(report.out)


@pytest.mark.parametrize(
    ("variable", "value", "detail", "fix"),
    [
        (
            "SINCH_PROVISIONING_URL",
            "https://evil.example.com",
            "SINCH_PROVISIONING_URL: host evil.example.com is not a first-party Sinch host",
            "unset SINCH_PROVISIONING_URL to use https://provisioning.api.sinch.com",
        ),
        (
            "SINCH_AUTH_URL",
            "http://127.0.0.1:9/oauth2/token",
            "SINCH_AUTH_URL: URL http://127.0.0.1:9 is not https; only https Sinch hosts are allowed "
            "(plain-http loopback needs SINCH_ALLOW_LOOPBACK=1)",
            "unset SINCH_AUTH_URL to use https://auth.sinch.com/oauth2/token; a local sandbox also needs SINCH_ALLOW_LOOPBACK=1",
        ),
        (
            "SINCH_PROVISIONING_URL",
            f"https://{CANARIES['SINCH_KEY_ID']}:{CANARIES['SINCH_KEY_SECRET']}@provisioning.api.sinch.com",
            "SINCH_PROVISIONING_URL: URL https://provisioning.api.sinch.com carries credentials in it; refused",
            "unset SINCH_PROVISIONING_URL to use https://provisioning.api.sinch.com",
        ),
    ],
    ids=["foreign-host", "loopback-without-allow", "credentials-in-url"],
)
def test_refused_url_is_the_allowlist_line_and_nothing_is_sent(doctor, monkeypatch, variable, value, detail, fix):
    set_env(monkeypatch, SINCH_PROJECT_ID=PROJECT, **CANARIES, **{variable: value})
    transport = RecordingTransport(httpx2.MockTransport(lambda request: httpx2.Response(200, json={})))
    report = doctor(transport=transport)
    assert report.exit_code == 1
    status, shown, shown_fix = report.only("URL allowlist")
    assert status == "FAIL" and shown.startswith(detail) and shown_fix.startswith(fix)
    assert report.only("connection") == ("SKIP", "needs settings the server accepts", "")
    assert transport.requests == []
    assert_no_secret(report.out)


def test_bad_value_names_the_variable_and_its_default(doctor, monkeypatch):
    monkeypatch.setenv("SINCH_AUTH_MODE", "token")
    report = doctor("--sandbox")
    status, detail, fix = report.only("settings")
    assert (status, report.exit_code) == ("FAIL", 1)
    assert detail == "SINCH_AUTH_MODE: Input should be 'oauth' or 'basic'"
    assert fix == "set SINCH_AUTH_MODE as the message says, or unset it (default oauth)"


# --- a standalone sandbox over loopback, as a real process -------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def standalone_sandbox() -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sinch_provisioning_mcp", "sandbox", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            assert process.poll() is None, "the standalone sandbox exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the standalone sandbox did not listen"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=5)


def doctor_process(base: str, tmp_path: Path, **variables: str) -> Report:
    """`sinch-provisioning-mcp doctor` as a user runs it, pointed at the standalone sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    env |= {
        "HOME": str(tmp_path),
        "SINCH_PROVISIONING_URL": base,
        "SINCH_AUTH_URL": f"{base}/oauth2/token",
        "SINCH_ALLOW_LOOPBACK": "1",
        "SINCH_PROJECT_ID": SANDBOX_PROJECT_ID,
        "SINCH_KEY_ID": SANDBOX_KEY_ID,
        **variables,
    }
    done = subprocess.run(
        [sys.executable, "-m", "sinch_provisioning_mcp", "doctor"],
        env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.stderr == ""
    return parse(done.returncode, done.stdout)


def test_wrong_secret_fails_the_token_line(standalone_sandbox, tmp_path):
    report = doctor_process(standalone_sandbox, tmp_path, SINCH_KEY_SECRET=CANARIES["SINCH_KEY_SECRET"])
    assert report.exit_code == 1
    assert report.failed() == ["token"]
    assert report.only("token") == (
        "FAIL",
        "token endpoint refused the credentials (HTTP 401); check SINCH_KEY_ID and SINCH_KEY_SECRET",
        "set SINCH_KEY_ID and SINCH_KEY_SECRET to the pair of an active access key of the project (Sinch dashboard)",
    )
    assert report.only("project") == ("SKIP", "needs a token", "")
    assert_no_secret(report.out)


def test_wrong_secret_in_basic_mode_fails_the_project_call(standalone_sandbox, tmp_path):
    report = doctor_process(standalone_sandbox, tmp_path, SINCH_KEY_SECRET=CANARIES["SINCH_KEY_SECRET"], SINCH_AUTH_MODE="basic")
    assert report.failed() == ["project"]
    assert report.only("token")[1] == "none needed in auth mode basic: the key pair goes with each request (checked below)"
    status, detail, fix = report.only("project")
    assert detail.startswith(f"GET /v1/projects/{SANDBOX_PROJECT_ID}/webhooks: HTTP 401 ")
    assert fix.startswith(f"the API refused these credentials for project {SANDBOX_PROJECT_ID}")
    assert_no_secret(report.out)


def test_right_credentials_pass_over_loopback(standalone_sandbox, tmp_path):
    report = doctor_process(standalone_sandbox, tmp_path, SINCH_KEY_SECRET=SANDBOX_KEY_SECRET)
    assert report.exit_code == 0, report.out
    assert report.statuses()["URL allowlist"] == ["OK", "OK"]
    assert [line[2] for line in report.lines if line[1] == "URL allowlist"] == [
        f"SINCH_PROVISIONING_URL {standalone_sandbox}: loopback, allowed by SINCH_ALLOW_LOOPBACK=1",
        f"SINCH_AUTH_URL {standalone_sandbox}/oauth2/token: loopback, allowed by SINCH_ALLOW_LOOPBACK=1",
    ]
    assert report.only("credentials")[1] == f"complete (auth mode oauth, project {SANDBOX_PROJECT_ID})"
    assert report.only("token")[:2] == ("OK", f"issued by {standalone_sandbox}/oauth2/token")
    assert report.only("project")[0] == "OK"
    assert SANDBOX_KEY_SECRET not in report.out


# --- a mock Sinch: refusals by the API and an unreachable token endpoint ------------------------


def mock_sinch(api_status: int, api_body: dict) -> httpx2.MockTransport:
    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "auth.sinch.com":
            return httpx2.Response(200, json={"access_token": ISSUED_TOKEN, "expires_in": 3600})
        return httpx2.Response(api_status, json=api_body)

    return httpx2.MockTransport(handle)


@pytest.mark.parametrize(
    ("status", "fix"),
    [
        (401, f"the API refused these credentials for project {PROJECT}: use the key id and secret of an active access key of that project"),
        (403, f"this access key may not use project {PROJECT}: use a key of that project, or correct SINCH_PROJECT_ID"),
        (404, f"no project {PROJECT} for these credentials: correct SINCH_PROJECT_ID (Sinch dashboard)"),
    ],
)
def test_api_refusal_fails_the_project_line_with_its_fix(doctor, monkeypatch, status, fix):
    set_env(monkeypatch, SINCH_PROJECT_ID=PROJECT, SINCH_KEY_ID=CANARIES["SINCH_KEY_ID"], SINCH_KEY_SECRET=CANARIES["SINCH_KEY_SECRET"])
    # An API that echoes the caller's secret in its message: the doctor's lines are redacted too.
    body = {"errorCode": "refused", "message": f"key {CANARIES['SINCH_KEY_SECRET']} refused", "resolution": ""}
    report = doctor(transport=mock_sinch(status, body))
    assert report.exit_code == 1
    assert report.failed() == ["project"]
    assert report.only("token")[:2] == ("OK", "issued by https://auth.sinch.com/oauth2/token")
    detail = report.only("project")[1]
    assert detail.startswith(f"GET /v1/projects/{PROJECT}/webhooks: HTTP {status} refused: key [redacted")
    assert report.only("project")[2] == fix
    assert_no_secret(report.out)


def test_unreachable_token_endpoint_names_the_url(doctor, monkeypatch):
    set_env(monkeypatch, SINCH_PROJECT_ID=PROJECT, SINCH_KEY_ID=CANARIES["SINCH_KEY_ID"], SINCH_KEY_SECRET=CANARIES["SINCH_KEY_SECRET"])

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    report = doctor(transport=httpx2.MockTransport(refuse))
    assert report.only("token") == (
        "FAIL",
        "token endpoint unreachable: ConnectError",
        "check that this machine reaches https://auth.sinch.com/oauth2/token (network, proxy, firewall)",
    )
    assert report.exit_code == 1


def test_no_secret_is_printed_whatever_is_set(doctor, monkeypatch):
    set_env(monkeypatch, SINCH_PROJECT_ID=PROJECT, **CANARIES)
    seen: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx2.Response(200, json={"webhooks": [{"id": "w1"}], "totalSize": 1})

    report = doctor(transport=httpx2.MockTransport(handle))
    assert report.exit_code == 0, report.out
    # The pre-issued token was used as given, and is named but never shown.
    assert seen == [f"Bearer {CANARIES['SINCH_ACCESS_TOKEN']}"]
    assert report.only("token")[1] == "SINCH_ACCESS_TOKEN is used as given until the API refuses it (checked below)"
    assert report.only("project")[1] == f"GET /v1/projects/{PROJECT}/webhooks answered: 1 webhook(s), read only"
    for name in CANARIES:
        assert f"{name} (set, not shown)" in report.only("variables")[1]
    assert_no_secret(report.out)


# --- client set-up --------------------------------------------------------------------------------


def write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


@pytest.fixture
def on_path(tmp_path, monkeypatch) -> None:
    """`uvx` exists on PATH (a stub), and nothing else does."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "uvx"
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_clients_that_run_this_server_are_listed(doctor, isolated_machine, on_path):
    home, project = isolated_machine, Path.cwd()
    uvx = {"command": "uvx", "args": ["sinch-provisioning-mcp", "--sandbox"]}
    http = {"type": "http", "url": "http://127.0.0.1:8000/mcp"}
    write_json(home / ".claude.json", {"mcpServers": {"other": {"command": "x"}}, "projects": {str(project): {"mcpServers": {"sinch-provisioning": http}}}})
    write_json(project / ".mcp.json", {"mcpServers": {"sinch-provisioning": uvx}})
    write_json(project / ".cursor" / "mcp.json", {"mcpServers": {"sinch": {"command": "uvx", "args": ["sinch-provisioning-mcp"]}}})
    write_json(project / ".vscode" / "mcp.json", {"servers": {"sinch-provisioning": {"type": "stdio", **uvx}}})
    write_json(home / ".codeium" / "windsurf" / "mcp_config.json", {"mcpServers": {"other": {"command": "other-server"}}})
    write_json(
        home / DESKTOP_DIR / "claude_desktop_config.json",
        {"mcpServers": {"sinch-provisioning": {"command": "/opt/missing/uvx", "args": ["sinch-provisioning-mcp"], "env": CANARIES}}},
    )
    report = doctor("--sandbox")
    assert report.exit_code == 0, "client set-up never fails the doctor"
    clients = [(status, name, detail) for status, name, detail, _ in report.lines if name in ("Claude Code", "Cursor", "VS Code", "Windsurf", "Claude Desktop")]
    assert clients == [
        ("INFO", "Claude Code", "~/.claude.json has no entry for this server"),
        ("OK", "Claude Code", "~/.claude.json, this project's entries: 'sinch-provisioning' connects to http://127.0.0.1:8000/mcp"),
        ("OK", "Claude Code", f"{project}/.mcp.json: 'sinch-provisioning' runs uvx sinch-provisioning-mcp --sandbox on the sandbox"),
        ("OK", "Cursor", f"{project}/.cursor/mcp.json: 'sinch' runs uvx sinch-provisioning-mcp on your project"),
        ("OK", "VS Code", f"{project}/.vscode/mcp.json: 'sinch-provisioning' runs uvx sinch-provisioning-mcp --sandbox on the sandbox"),
        ("INFO", "Windsurf", "~/.codeium/windsurf/mcp_config.json has no entry for this server"),
        ("WARN", "Claude Desktop", f"~/{DESKTOP_DIR}/claude_desktop_config.json: 'sinch-provisioning' runs '/opt/missing/uvx', not found on PATH"),
    ]
    assert "clients" not in report.statuses()
    # An entry's environment is never read out, even where it holds credentials.
    assert_no_secret(report.out)


def test_a_broken_client_file_is_a_warning(doctor, isolated_machine):
    (isolated_machine / ".cursor").mkdir()
    (isolated_machine / ".cursor" / "mcp.json").write_text('{"mcpServers": {,}}')
    report = doctor("--sandbox")
    assert report.exit_code == 0
    assert report.only("Cursor") == (
        "WARN",
        "~/.cursor/mcp.json is not valid JSON (line 1, column 17: Expecting property name enclosed in double quotes)",
        "repair ~/.cursor/mcp.json: the client cannot read it either",
    )


def test_without_any_client_the_fix_is_the_install_line(doctor):
    report = doctor("--sandbox")
    assert report.only("clients") == (
        "WARN",
        "no MCP client here is set up to run this server",
        "claude mcp add sinch-provisioning -- uvx sinch-provisioning-mcp (other clients: the README's 'Install in your client')",
    )
