"""The README's client installation: each snippet parses in its client's format, names the right command,
arguments and variables, and its arguments really start the server."""

from __future__ import annotations

import base64
import json
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from mcp import Client, StdioServerParameters
from pydantic import SecretStr

from sinch_provisioning_mcp.server.config import Settings
from test_distribution_wheel import EXPECTED_TOOLS, outside_env

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
PACKAGE = "sinch-provisioning-mcp"
NAME = "sinch-provisioning"
SANDBOX = [PACKAGE, "--sandbox"]
# What a real project needs: exactly what the server reports missing when nothing is set.
CREDENTIALS = ["SINCH_PROJECT_ID", "SINCH_KEY_ID", "SINCH_KEY_SECRET"]
SECRET = {field.alias for field in Settings.model_fields.values() if SecretStr in getattr(field.annotation, "__args__", ())}


def snippets() -> dict[str, str]:
    """`<!-- snippet: name -->` followed by a fenced block."""
    found = re.findall(r"<!-- snippet: ([\w-]+) -->\n```\w*\n(.*?)\n```", README, re.S)
    return dict(found)


SNIPPETS = snippets()


def snippet(name: str) -> str:
    assert name in SNIPPETS, f"the README has no {name!r} snippet"
    return SNIPPETS[name]


def test_credentials_are_what_the_server_needs(monkeypatch):
    assert Settings().missing_credentials() == CREDENTIALS
    assert {"SINCH_KEY_ID", "SINCH_KEY_SECRET"} <= SECRET and "SINCH_PROJECT_ID" not in SECRET


def test_quickstart_keeps_its_two_commands():
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)\n```", quickstart, re.S)
    assert [line.split("#")[0].strip() for line in block.splitlines()] == ["make demo", "make test"]
    assert README.index("## Quickstart") < README.index("## Install in your client")


def test_every_client_has_its_snippet():
    assert set(SNIPPETS) == {
        "claude-code", "claude-code-project", "cursor-link", "cursor-json", "vscode-cli", "vscode-json",
        "windsurf", "http-server", "http-client",
    }
    assert all(len(text.splitlines()) == 1 for name, text in SNIPPETS.items() if not name.endswith("json")), "one line each"


def test_claude_code():
    words = shlex.split(snippet("claude-code"))
    assert words == ["claude", "mcp", "add", NAME, "--", "uvx", *SANDBOX]
    words = shlex.split(snippet("claude-code-project"))
    head, server = words[: words.index("--")], words[words.index("--") + 1 :]
    assert head[:4] == ["claude", "mcp", "add", NAME] and server == ["uvx", PACKAGE]
    pairs = dict(value.split("=", 1) for flag, value in zip(head[4::2], head[5::2], strict=True) if flag == "-e")
    assert list(pairs) == CREDENTIALS
    # Taken from the user's shell, never typed in: the snippet carries no secret.
    assert all(value == f"${name}" for name, value in pairs.items())


def test_cursor_link_installs_the_sandbox():
    url = urlsplit(snippet("cursor-link"))
    assert (url.scheme, url.netloc, url.path) == ("cursor", "anysphere.cursor-deeplink", "/mcp/install")
    query = parse_qs(url.query, strict_parsing=True)
    assert query["name"] == [NAME]
    assert json.loads(base64.b64decode(query["config"][0], validate=True)) == {"command": "uvx", "args": SANDBOX}


def assert_env_references(env: dict[str, str], pattern: str) -> list[str]:
    assert list(env) == CREDENTIALS
    references = [re.fullmatch(pattern, value) for value in env.values()]
    assert all(references), env
    return [match.group(1) for match in references]


def test_cursor_json_reads_the_credentials_from_the_environment():
    entry = json.loads(snippet("cursor-json"))["mcpServers"][NAME]
    assert (entry["command"], entry["args"]) == ("uvx", [PACKAGE])
    assert assert_env_references(entry["env"], r"\$\{env:(\w+)\}") == CREDENTIALS


def test_vscode():
    words = shlex.split(snippet("vscode-cli"))
    assert words[:2] == ["code", "--add-mcp"] and len(words) == 3
    assert json.loads(words[2]) == {"name": NAME, "command": "uvx", "args": SANDBOX}
    document = json.loads(snippet("vscode-json"))
    entry = document["servers"][NAME]
    assert (entry["type"], entry["command"], entry["args"]) == ("stdio", "uvx", [PACKAGE])
    inputs = {item["id"]: item for item in document["inputs"]}
    ids = assert_env_references(entry["env"], r"\$\{input:([\w-]+)\}")
    for variable, input_id in zip(CREDENTIALS, ids, strict=True):
        assert inputs[input_id]["type"] == "promptString"
        # A secret is typed into a password prompt, and VS Code keeps it in its secret storage.
        assert inputs[input_id].get("password", False) is (variable in SECRET)


def test_windsurf():
    entry = json.loads(snippet("windsurf"))["mcpServers"][NAME]
    assert entry == {"command": "uvx", "args": SANDBOX}


def test_http_client_points_at_the_served_port():
    server = shlex.split(snippet("http-server"))
    assert server[:2] == ["uvx", PACKAGE] and "--sandbox" in server
    assert server[server.index("--transport") + 1] == "http"
    port = server[server.index("--port") + 1]
    client = shlex.split(snippet("http-client"))
    assert client == ["claude", "mcp", "add", "--transport", "http", NAME, f"http://127.0.0.1:{port}/mcp"]


def stdio_arguments() -> list[list[str]]:
    """The distinct argument lists the stdio snippets give the server."""
    lines = [shlex.split(snippet("claude-code")), shlex.split(snippet("claude-code-project"))]
    lines += [json.loads(snippet(name))["mcpServers"][NAME]["args"] for name in ("cursor-json", "windsurf")]
    found = [words[words.index(PACKAGE) + 1 :] for words in lines]
    return [list(args) for args in dict.fromkeys(tuple(args) for args in found)]


@pytest.mark.parametrize("arguments", stdio_arguments(), ids=lambda a: " ".join(a) or "no-arguments")
async def test_the_snippet_arguments_start_the_server(arguments):
    """Started as the clients start it (the package's entry point with the snippet's arguments), it serves."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "sinch_provisioning_mcp", *arguments], env=outside_env())
    async with Client(params) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
    assert EXPECTED_TOOLS <= tools
