"""Finding 6: input that used to crash, hang or pass unchecked gets a clear refusal, and nothing is sent.

Also here: the parts of finding 5 that are about input (a token's expiry spelled `²` or
with 400 digits is refused: test_confirmation.py::test_forged_and_malformed_tokens_are_refused).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

RECEIVE_TIMEOUT = 20.0


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    return {**env, **extra}


class RawStdio:
    """The server over stdio, spoken to line by line, as a buggy or hostile client would."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sinch_provisioning_mcp", "--sandbox"],
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def send(self, message: object) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def receive(self) -> dict:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], RECEIVE_TIMEOUT)
        if not ready:
            pytest.fail(f"no answer within {RECEIVE_TIMEOUT}s")
        return json.loads(self.process.stdout.readline())

    def initialize(self) -> None:
        self.send(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
            }
        )
        assert "result" in self.receive()
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def close(self) -> str:
        """Ends the session; returns what the server wrote on stderr."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        self.process.wait(timeout=RECEIVE_TIMEOUT)
        return self.process.stderr.read().decode()


@pytest.fixture
def raw_stdio():
    session = RawStdio()
    try:
        session.initialize()
        yield session
    finally:
        if session.process.poll() is None:
            session.process.kill()
            session.process.wait(timeout=5)


DEEP = '{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":' + "[" * 3000 + "]" * 3000 + "}}"
SURROGATE = '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"list_webhooks","arguments":{"project_id":"\\ud800"}}}'


@pytest.mark.parametrize(
    ("line", "code"),
    [(DEEP, -32700), (SURROGATE, -32700), ("not json at all", -32700), ('{"jsonrpc": "2.0", "id": 7}', -32600)],
    ids=["3000-deep", "lone-surrogate", "not-json", "not-a-message"],
)
def test_an_unreadable_line_gets_a_json_rpc_error_over_stdio(raw_stdio, line, code):
    raw_stdio.send(line)
    answer = raw_stdio.receive()
    raw_stdio.send({"jsonrpc": "2.0", "id": 8, "method": "ping"})
    after = raw_stdio.receive()
    assert answer["id"] is None and answer["error"]["code"] == code
    assert after == {"jsonrpc": "2.0", "id": 8, "result": {}}  # and the session goes on
    assert "Traceback" not in raw_stdio.close()


@pytest.mark.parametrize("arguments", [["webhook_id"], "webhook_id=x", 42])
def test_arguments_that_are_not_an_object_are_invalid_params(raw_stdio, arguments):
    raw_stdio.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list_webhooks", "arguments": arguments}})
    answer = raw_stdio.receive()
    assert answer["id"] == 3 and answer["error"]["code"] == -32602
    assert "Traceback" not in raw_stdio.close()


def test_an_unknown_prompt_is_invalid_params_over_stdio(raw_stdio):
    raw_stdio.send({"jsonrpc": "2.0", "id": 4, "method": "prompts/get", "params": {"name": "no_such_prompt"}})
    answer = raw_stdio.receive()
    assert answer["id"] == 4 and answer["error"]["code"] == -32602
    assert "no_such_prompt" in answer["error"]["message"]
    assert "Traceback" not in raw_stdio.close()


async def test_an_unknown_prompt_is_invalid_params(server):
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("no_such_prompt", {})
    assert raised.value.error.code == -32602


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SINCH_PROVISIONING_URL", "https://provisioning.api.sinch.com\t"),
        ("SINCH_PROVISIONING_URL", "https://provisioning.api\t.sinch.com"),
        ("SINCH_AUTH_URL", "https://auth.sinch.com/oauth2/token\x01"),
        ("SINCH_AUTH_URL", "https://auth.sinch.com/oauth2/\u00a0token"),
    ],
)
def test_a_control_character_in_a_configured_url_refuses_to_start(variable, value):
    done = subprocess.run(
        [sys.executable, "-m", "sinch_provisioning_mcp"],
        env=child_env(**{variable: value}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"configuration error: {variable}: URL contains whitespace or control characters")


def problems(result) -> dict[str, str]:
    assert result.is_error and result.structured_content["error"]["errorCode"] == "invalid_arguments", result.content
    return {p["field"]: p["problem"] for p in result.structured_content["error"]["problems"]}


async def test_over_long_urls_and_lone_surrogates_are_validation_errors_naming_the_field(server, sandbox_transport):
    valid = {"target": "https://example.com/x", "secret": "surrogate-test-secret", "triggers": ["ALL"]}
    async with Client(server) as client:
        long_url = await client.call_tool("create_webhook", {**valid, "target": "https://example.com/" + "a" * 65536})
        in_secret = await client.call_tool("create_webhook", {**valid, "secret": "abc\udc00defghijk"})
        in_target = await client.call_tool("create_webhook", {**valid, "target": "https://example.com/\ud800"})
        in_project = await client.call_tool("list_webhooks", {"project_id": "sandbox-\ud800"})
        in_list = await client.call_tool("create_webhook", {**valid, "triggers": ["ALL", "\udfff"]})
    assert problems(long_url) == {"target": "String should have at most 742 characters"}
    assert "secret" in problems(in_secret) and "lone surrogate" in problems(in_secret)["secret"]
    assert "target" in problems(in_target)
    assert "project_id" in problems(in_project)
    assert "triggers[1]" in problems(in_list)
    assert sandbox_transport.api_calls() == []


async def test_an_empty_secret_and_an_over_long_comment_are_refused(server, sandbox_transport):
    async with Client(server) as client:
        empty = await client.call_tool("create_webhook", {"target": "https://example.com/x", "secret": "", "triggers": ["ALL"]})
        comment = await client.call_tool("add_rcs_account_comment", {"comment": "c" * 65536})
    assert problems(empty) == {"secret": "at least 1 character"}
    assert problems(comment) == {"comment": "String should have at most 65535 characters"}
    assert sandbox_transport.api_calls() == []


@pytest.mark.parametrize("secret", ['{"rotate": true, "n": 1}', '["not", "a", "list"]'])
async def test_a_secret_that_looks_like_json_is_sent_as_the_text_it_is(server, sandbox_transport, secret):
    async with Client(server) as client:
        created = await client.call_tool("create_webhook", {"target": "https://example.com/json", "secret": secret, "triggers": '["ALL"]'})
    assert not created.is_error, created.content[0].text
    posted = [r for r in sandbox_transport.requests if r.method == "POST" and r.url.path.endswith("/webhooks")]
    assert json.loads(posted[0].content)["secret"] == secret
    # A list sent as JSON text is still accepted where the field is a list.
    assert json.loads(posted[0].content)["triggers"] == ["ALL"]
