"""Running `sinch-provisioning-mcp --transport http` as a real subprocess, for tests over the network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

STARTUP_TIMEOUT = 20.0


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    return {**env, **extra}


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    log: Path
    connect: str  # the address to reach it at, as it goes in a URL

    def url(self, path: str = "/mcp") -> str:
        return f"http://{self.connect}:{self.port}{path}"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def serving(tmp_path: Path, *args: str, connect: str = "127.0.0.1", env: dict[str, str] | None = None) -> Iterator[Served]:
    """`sinch-provisioning-mcp --transport http <args>` on a free port, until the block ends."""
    bind_probe = connect.strip("[]")
    port = free_port(bind_probe)
    log = tmp_path / f"server-{port}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sinch_provisioning_mcp", "--transport", "http", "--port", str(port), *args],
            env=child_env(**(env or {})),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, port, log, connect)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx2.get(served.url("/healthz"), timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no /healthz within {STARTUP_TIMEOUT}s:\n{log.read_text()}")
            time.sleep(0.05)
        yield served
    finally:
        _stop(process)
