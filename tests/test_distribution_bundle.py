"""The Claude Desktop bundle: `mcpb validate` accepts the manifest, and `make bundle` packs a .mcpb that
runs the server the way Claude Desktop starts it. Needs Node's npx (skipped, with the reason, without)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from test_distribution_wheel import BUILD_TIMEOUT, EXPECTED_TOOLS, outside_env, uv_binary

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
# The CLI version `make bundle` uses, so this suite checks with the same one.
MCPB_PACKAGE = re.search(r"^MCPB \?= npx --yes (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)


@pytest.fixture(scope="module")
def mcpb() -> list[str]:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx (Node.js) is not installed: the MCP Bundle CLI cannot run")
    command = [npx, "--yes", MCPB_PACKAGE]
    probe = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
    if probe.returncode != 0:
        pytest.skip(f"{MCPB_PACKAGE} could not be fetched: {(probe.stderr or probe.stdout).strip()[-300:]}")
    return command


def test_mcpb_validate_accepts_the_manifest(mcpb):
    done = subprocess.run([*mcpb, "validate", str(ROOT / "manifest.json")], capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Manifest schema validation passes" in done.stdout


def test_mcpb_validate_refuses_a_broken_manifest(mcpb, tmp_path):
    broken = {**MANIFEST, "user_config": {"key_secret": {**MANIFEST["user_config"]["key_secret"], "sensitive": "yes"}}}
    (tmp_path / "manifest.json").write_text(json.dumps(broken))
    done = subprocess.run([*mcpb, "validate", str(tmp_path / "manifest.json")], capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode != 0, "a check that cannot fail proves nothing"


def claude_desktop_launch(manifest: dict, directory: Path, uv: str) -> StdioServerParameters:
    """The server as Claude Desktop starts it: `${__dirname}` and each `${user_config.*}` filled in, defaults
    for the options (so the sandbox), booleans as true/false."""
    values = {name: option.get("default", "") for name, option in manifest["user_config"].items()}

    def fill(text: str) -> str:
        text = text.replace("${__dirname}", str(directory))
        return re.sub(r"\$\{user_config\.(\w+)\}", lambda m: json.dumps(values[m.group(1)]).strip('"'), text)

    config = manifest["server"]["mcp_config"]
    assert config["command"] == "uv"
    return StdioServerParameters(
        command=uv,
        args=[fill(arg) for arg in config["args"]],
        env=outside_env(UV_PYTHON_DOWNLOADS="never", **{name: fill(value) for name, value in config["env"].items()}),
        cwd=directory,
    )


async def test_make_bundle_packs_a_bundle_that_runs(mcpb, tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    bundle = tmp_path / "out" / "sinch.mcpb"
    subprocess.run(
        ["make", "--no-print-directory", "bundle", f"BUNDLE={bundle}", f"BUNDLE_STAGE={tmp_path / 'stage'}"],
        cwd=ROOT, check=True, capture_output=True, timeout=BUILD_TIMEOUT,
    )
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "unpacked")
    assert {"manifest.json", "pyproject.toml", "README.md", "LICENSE", "sinch_provisioning_mcp/api/provisioning-api.json"} <= names
    assert not [n for n in names if n.startswith(("tests/", ".venv/", ".git/", "dist/")) or "__pycache__" in n]

    unpacked = tmp_path / "unpacked"
    manifest = json.loads((unpacked / "manifest.json").read_text())
    async with Client(claude_desktop_launch(manifest, unpacked, uv_binary())) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        listed = await client.call_tool("list_webhooks", {})
    assert EXPECTED_TOOLS <= tools
    assert listed.structured_content["environment"] == "sandbox", "the bundle's default is the sandbox"
