"""The published artifacts: `python -m build` gives an sdist and a wheel that pass `twine check`, and the
wheel runs on its own, installed into a fresh virtual environment outside the repository and with `uvx`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXPECTED_TOOLS = {"list_webhooks", "get_webhook", "create_webhook", "update_webhook", "delete_webhook"}
BUILD_TIMEOUT = 300  # building and installing fetch from PyPI where the caches are cold


def outside_env(**extra: str) -> dict[str, str]:
    """The environment without SINCH_* settings or anything pointing Python at this checkout."""
    drop = ("SINCH_", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)} | extra


def run(args: list[str | Path], *, cwd: Path, timeout: float = BUILD_TIMEOUT, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=outside_env(**env), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> dict[str, Path]:
    """One build per session: the sdist, then the wheel built from that sdist (build's default)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="session")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository with the wheel and its dependencies installed."""
    home = tmp_path_factory.mktemp("outside")
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", dist["wheel"]], cwd=home)
    return home


def test_sdist_and_wheel_pass_twine_check(dist):
    done = run([sys.executable, "-m", "twine", "check", "--strict", dist["sdist"], dist["wheel"]], cwd=dist["wheel"].parent)
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_wheel_metadata_is_complete(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(wheel.read(name).decode())
    assert metadata["Name"] == PROJECT["name"] and metadata["Version"] == PROJECT["version"]
    assert metadata["Summary"] == PROJECT["description"]
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "## Install in your client" in metadata.get_payload(), "the README is the PyPI description"
    assert set(metadata["Keywords"].split(",")) == set(PROJECT["keywords"])
    assert "Programming Language :: Python :: 3.11" in metadata.get_all("Classifier")
    assert {url.split(",")[0] for url in metadata.get_all("Project-URL")} == set(PROJECT["urls"])


def test_sdist_carries_the_package_and_the_whole_test_suite(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "LICENSE", "sinch_provisioning_mcp/api/provisioning-api.json"} <= names
    assert {"tests/conftest.py", "tests/schemas/server.schema.json", "tests/snapshots/tools/list_webhooks.json"} <= names
    assert not [n for n in names if "__pycache__" in n or n.startswith(".venv/")]


def test_wheel_carries_its_data_files_and_nothing_of_the_checkout(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
    assert "sinch_provisioning_mcp/api/provisioning-api.json" in names, "the catalog copy is read at run time"
    assert "sinch_provisioning_mcp/prompts/webhooks.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/")) or "__pycache__" in n]


async def test_installed_wheel_serves_its_tools_over_stdio(installed):
    where = run([installed / "venv/bin/python", "-c", "import sinch_provisioning_mcp as m; print(m.__file__)"], cwd=installed)
    assert Path(where.stdout.strip()).is_relative_to(installed / "venv"), "imported from the venv, not the checkout"
    params = StdioServerParameters(
        command=str(installed / "venv/bin/sinch-provisioning-mcp"), args=["--sandbox"], env=outside_env(), cwd=installed
    )
    async with Client(params) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        prompts = {prompt.name for prompt in (await client.list_prompts()).prompts}
        listed = await client.call_tool("list_webhooks", {})
    assert EXPECTED_TOOLS <= tools
    assert "set_up_provisioning_webhook" in prompts
    assert not listed.is_error and listed.structured_content["environment"] == "sandbox"


def test_installed_wheel_runs_doctor(installed):
    done = run([installed / "venv/bin/sinch-provisioning-mcp", "doctor", "--sandbox"], cwd=installed, HOME=str(installed))
    assert done.stdout.splitlines()[-1] == "The server would work as configured."


def uv_binary() -> str:
    """uv from the test extra (the `uv` PyPI package), else one on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            pytest.skip("uv is not installed (pip install uv, or the project's test extra)")
        return found
    return find_uv_bin()


async def test_uvx_runs_the_wheel(dist, tmp_path):
    uv = uv_binary()
    # Resolving the dependencies needs PyPI or uv's cache: without either, say so rather than fail.
    warm = subprocess.run(
        [uv, "tool", "run", "--python", sys.executable, "--from", str(dist["wheel"]), "sinch-provisioning-mcp", "--version"],
        cwd=tmp_path, env=outside_env(UV_PYTHON_DOWNLOADS="never"), capture_output=True, text=True, timeout=BUILD_TIMEOUT,
    )
    if warm.returncode != 0 and any(word in warm.stderr for word in ("Failed to fetch", "network", "dns error", "offline")):
        pytest.skip(f"uv could not fetch the dependencies: {warm.stderr.strip().splitlines()[-1]}")
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip() == f"sinch-provisioning-mcp {PROJECT['version']}"
    # `uvx` is `uv tool run`: the command line README users type, with the wheel in place of PyPI.
    params = StdioServerParameters(
        command=uv,
        args=["tool", "run", "--python", sys.executable, "--from", str(dist["wheel"]), "sinch-provisioning-mcp", "--sandbox"],
        env=outside_env(UV_PYTHON_DOWNLOADS="never"),
        cwd=tmp_path,
    )
    async with Client(params) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
    assert EXPECTED_TOOLS <= tools
