"""What the listings say about the package: the MCP Registry entry (`server.json`) against the
registry's published schema, and both it and the Claude Desktop bundle manifest against what the
server actually reads and accepts."""

from __future__ import annotations

import copy
import json
import re
import tomllib
import typing
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from pydantic import SecretStr

from sinch_provisioning_mcp.server.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SERVER = json.loads((ROOT / "server.json").read_text())
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
# The registry's schema as published (2025-12-11); a copy, so the suite runs offline.
REGISTRY_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "server.schema.json").read_text())
FIELDS = {field.alias: field for field in Settings.model_fields.values()}


def as_env(value: object) -> str:
    """A value as an environment variable spells it (booleans as true/false, as clients substitute them)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def registry_errors(document: dict) -> list[str]:
    return [error.message for error in Draft7Validator(REGISTRY_SCHEMA).iter_errors(document)]


# --- server.json: the MCP Registry entry ---------------------------------------------------------


def test_server_json_is_valid_for_the_registry():
    assert SERVER["$schema"] == REGISTRY_SCHEMA["$id"], "server.json declares the schema kept in tests/schemas"
    assert registry_errors(SERVER) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("version"), "'version' is a required property"),
        (lambda d: d.update(description="x" * 101), "is too long"),
        (lambda d: d["packages"][0].pop("transport"), "'transport' is a required property"),
        (lambda d: d["packages"][0].update(version="latest"), "should not be valid"),
    ],
    ids=["no-version", "long-description", "no-transport", "version-latest"],
)
def test_the_schema_check_refuses_a_broken_entry(change, expected):
    broken = copy.deepcopy(SERVER)
    change(broken)
    assert any(expected in message for message in registry_errors(broken)), registry_errors(broken)


def test_server_json_describes_this_package():
    assert SERVER["version"] == PYPROJECT["version"]
    for package in SERVER["packages"]:
        assert (package["registryType"], package["identifier"]) == ("pypi", PYPROJECT["name"])
        assert package["version"] == PYPROJECT["version"]
    # The registry proves PyPI ownership by this marker in the package's README (its PyPI description).
    assert f"<!-- mcp-name: {SERVER['name']} -->" in (ROOT / "README.md").read_text()
    assert SERVER["repository"]["url"] == PYPROJECT["urls"]["Source"]


def test_server_json_lists_stdio_and_streamable_http():
    transports = {package["transport"]["type"]: package for package in SERVER["packages"]}
    assert set(transports) == {"stdio", "streamable-http"}
    http = transports["streamable-http"]
    arguments = {argument["name"]: argument["value"] for argument in http["packageArguments"]}
    assert arguments == {"--transport": "http", "--port": "8000"}
    assert http["transport"]["url"] == f"http://127.0.0.1:{arguments['--port']}/mcp"


def test_server_json_variables_are_those_the_server_reads():
    for package in SERVER["packages"]:
        for variable in package["environmentVariables"]:
            field = FIELDS.get(variable["name"])
            assert field is not None, f"{variable['name']} is not a setting"
            secret = typing.get_args(field.annotation)[:1] == (SecretStr,)
            assert variable.get("isSecret", False) is secret, f"{variable['name']}: isSecret must be {secret}"
            choices = typing.get_args(field.annotation) if typing.get_origin(field.annotation) is typing.Literal else None
            if choices:
                assert variable["choices"] == list(choices)
            if "default" in variable:
                assert variable["default"] == as_env(field.default)
    stdio = next(p for p in SERVER["packages"] if p["transport"]["type"] == "stdio")
    names = {variable["name"] for variable in stdio["environmentVariables"]}
    assert set(Settings().missing_credentials()) <= names, "the credentials a real project needs are listed"


# --- manifest.json: the Claude Desktop bundle -----------------------------------------------------


def test_manifest_describes_this_package():
    assert (MANIFEST["name"], MANIFEST["version"], MANIFEST["license"]) == (
        PYPROJECT["name"], PYPROJECT["version"], PYPROJECT["license"]
    )
    server = MANIFEST["server"]
    assert server["type"] == "uv", "Claude Desktop provides uv and Python; the bundle carries the project"
    assert (ROOT / server["entry_point"]).is_file()
    assert server["mcp_config"]["command"] == "uv"
    assert server["mcp_config"]["args"] == ["run", "--directory", "${__dirname}", *PYPROJECT["scripts"]]


def test_manifest_user_config_feeds_the_server_settings():
    env = MANIFEST["server"]["mcp_config"]["env"]
    options = MANIFEST["user_config"]
    used = {re.fullmatch(r"\$\{user_config\.(\w+)\}", value).group(1): name for name, value in env.items()}
    assert set(used) == set(options), "every option reaches the server, and only options"
    for option, variable in used.items():
        field = FIELDS[variable]
        secret = typing.get_args(field.annotation)[:1] == (SecretStr,)
        assert options[option].get("sensitive", False) is secret, f"{option} must be sensitive exactly when {variable} is a secret"
        assert options[option]["type"] == ("boolean" if field.annotation is bool else "string")
    assert set(Settings().missing_credentials()) <= set(used.values())
    assert options["sandbox"]["default"] is True and used["sandbox"] == "SINCH_MCP_SANDBOX"


@pytest.mark.parametrize("value", ["true", "false"])
def test_the_bundle_values_parse_as_the_server_reads_them(monkeypatch, value):
    """Claude Desktop substitutes booleans as true/false and unset strings as empty."""
    env = MANIFEST["server"]["mcp_config"]["env"]
    chosen = {name: option.get("default", "") for name, option in MANIFEST["user_config"].items()} | {"sandbox": value}
    for variable, template in env.items():
        monkeypatch.setenv(variable, as_env(chosen[template.removeprefix("${user_config.").removesuffix("}")]))
    settings = load_settings()
    assert settings.sandbox is (value == "true")
    assert settings.missing_credentials() == ["SINCH_PROJECT_ID", "SINCH_KEY_ID", "SINCH_KEY_SECRET"]
