"""The container for hosted mode. Its contract is read from the Dockerfile everywhere; the image is built
and run only where a Docker daemon answers (skipped, with the reason, elsewhere)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from sinch_provisioning_mcp.cli import main

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT = 900
HEALTHY_TIMEOUT = 90.0


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last_from:]


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments)


def test_dockerfile_is_multi_stage_and_runs_as_a_numeric_non_root_user():
    assert sum(name == "FROM" for name, _ in instructions()) >= 2
    users = [args for name, args in final_stage() if name == "USER"]
    assert users, "the runtime stage sets a user"
    uid = users[-1].split(":")[0]
    # Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    assert uid.isdigit() and int(uid) != 0


def test_default_command_serves_streamable_http_on_all_interfaces(capsys):
    stage = dict(final_stage())
    command = exec_form(stage["ENTRYPOINT"]) + exec_form(stage["CMD"])
    assert command == ["sinch-provisioning-mcp", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
    assert stage["EXPOSE"] == "8000"
    # The arguments are ones the CLI accepts (`--help` after them parses them first).
    with pytest.raises(SystemExit) as parsed:
        main([*command[1:], "--help"])
    assert parsed.value.code == 0
    capsys.readouterr()


def test_health_check_asks_the_readiness_endpoint():
    healthcheck = dict(final_stage())["HEALTHCHECK"]
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval" in options and "--timeout" in options
    probe = exec_form(command)
    assert probe[:2] == ["python", "-c"] and "http://127.0.0.1:8000/readyz" in probe[2]


def test_dockerignore_admits_only_what_the_build_copies():
    patterns = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert patterns[0] == "*", "everything is excluded first, so nothing new slips into the build context"
    admitted = {line[1:].rstrip("/") for line in patterns if line.startswith("!")}
    copied = set()
    for name, args in instructions():
        if name == "COPY" and "--from" not in args:
            copied.update(args.split()[:-1])
    assert admitted == copied


# --- where a Docker daemon runs -------------------------------------------------------------------


@pytest.fixture(scope="module")
def docker() -> str:
    binary = shutil.which("docker")
    if binary is None:
        pytest.skip("no docker client installed")
    info = subprocess.run([binary, "info"], capture_output=True, text=True, timeout=30)
    if info.returncode != 0:
        reason = (info.stderr.strip() or "no output").splitlines()[-1][:200]
        pytest.skip(f"no Docker daemon answers (`docker info`: {reason})")
    return binary


@pytest.fixture(scope="module")
def image(docker) -> Iterator[str]:
    tag = f"sinch-provisioning-mcp-test:{uuid.uuid4().hex[:12]}"
    subprocess.run([docker, "build", "-t", tag, str(ROOT)], check=True, capture_output=True, timeout=BUILD_TIMEOUT)
    yield tag
    subprocess.run([docker, "image", "rm", "-f", tag], capture_output=True, timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_container_becomes_healthy_and_runs_as_non_root(docker, image):
    port = free_port()
    name = f"sinch-mcp-test-{uuid.uuid4().hex[:8]}"
    run = [docker, "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8000"]
    run += ["-e", "SINCH_MCP_API_KEYS=test-key-1234567890", "-e", "SINCH_MCP_SANDBOX=1", image]
    subprocess.run(run, check=True, capture_output=True, timeout=60)
    try:
        deadline = time.monotonic() + HEALTHY_TIMEOUT
        status = ""
        while time.monotonic() < deadline and status != "healthy":
            time.sleep(1)
            inspect = [docker, "inspect", "--format", "{{.State.Health.Status}}", name]
            status = subprocess.run(inspect, capture_output=True, text=True, timeout=30).stdout.strip()
        logs = subprocess.run([docker, "logs", name], capture_output=True, text=True, timeout=30)
        assert status == "healthy", f"health {status!r}:\n{logs.stdout}{logs.stderr}"
        assert httpx2.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        uid = subprocess.run([docker, "exec", name, "id", "-u"], capture_output=True, text=True, timeout=30).stdout.strip()
        assert uid != "0"
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=60)


def test_container_refuses_to_serve_without_api_keys(docker, image):
    done = subprocess.run([docker, "run", "--rm", "-e", "SINCH_MCP_SANDBOX=1", image], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, f"exited {done.returncode}: {done.stderr}"
    assert "SINCH_MCP_API_KEYS" in done.stderr
