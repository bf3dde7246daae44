"""Finding 5: a confirmation token works once, across a restart of the server too.

The rest of the finding (tokens bound to the previewed state, canonical expiry only, only
a JSON true as consent) is proved in test_confirmation.py: test_token_is_bound_to_the_state_the_preview_showed,
test_forged_and_malformed_tokens_are_refused, test_only_a_json_true_is_consent.
"""

from __future__ import annotations

import os
import subprocess
import sys

from mcp import Client

from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings

FIXED = {"confirm_secret": "a-fixed-confirm-secret-kept-across-restarts"}


async def _webhook(client: Client) -> dict:
    created = await client.call_tool(
        "create_webhook", {"target": "https://example.com/restart", "secret": "restart-secret-123", "triggers": ["ALL"]}
    )
    return created.structured_content["webhook"]


def _replacing(webhook_id: str) -> dict:
    """A call that leaves the previewed state as it was, so only single use can refuse its token twice."""
    return {"webhook_id": webhook_id, "target": "https://example.com/restart", "secret": "rotated-secret-456", "triggers": ["ALL"]}


def _restart(sandbox_transport, **settings):
    """A new server process as far as confirmation goes: same configuration, same API (the sandbox)."""
    return build_server(load_settings(sandbox=True, **FIXED, **settings), transport=sandbox_transport)


async def test_a_used_token_is_refused_after_a_restart(sandbox_transport):
    async with Client(_restart(sandbox_transport)) as client:
        webhook_id = (await _webhook(client))["id"]
        token = (await client.call_tool("replace_webhook", _replacing(webhook_id))).structured_content["confirmation_token"]
        first = await client.call_tool("replace_webhook", {**_replacing(webhook_id), "confirmation_token": token})
    async with Client(_restart(sandbox_transport)) as client:
        replayed = await client.call_tool("replace_webhook", {**_replacing(webhook_id), "confirmation_token": token})
    assert first.structured_content["status"] == "done"
    assert replayed.is_error and replayed.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert "before this server restarted" in replayed.content[0].text
    assert [r.method for r in sandbox_transport.requests].count("PUT") == 1


async def test_with_a_state_directory_a_token_outlives_a_restart_and_still_works_once(sandbox_transport, tmp_path):
    durable = {"state_dir": str(tmp_path / "state")}
    async with Client(_restart(sandbox_transport, **durable)) as client:
        webhook_id = (await _webhook(client))["id"]
        token = (await client.call_tool("replace_webhook", _replacing(webhook_id))).structured_content["confirmation_token"]
    async with Client(_restart(sandbox_transport, **durable)) as client:
        after_restart = await client.call_tool("replace_webhook", {**_replacing(webhook_id), "confirmation_token": token})
    async with Client(_restart(sandbox_transport, **durable)) as client:
        replayed = await client.call_tool("replace_webhook", {**_replacing(webhook_id), "confirmation_token": token})
    assert after_restart.structured_content["status"] == "done"
    assert replayed.is_error and "already used" in replayed.content[0].text
    assert [r.method for r in sandbox_transport.requests].count("PUT") == 1


def test_an_unusable_state_directory_refuses_to_start(tmp_path):
    occupied = tmp_path / "a-file"
    occupied.write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")} | {"SINCH_MCP_STATE_DIR": str(occupied)}
    done = subprocess.run(
        [sys.executable, "-m", "sinch_provisioning_mcp", "--sandbox"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("configuration error: SINCH_MCP_STATE_DIR:")
