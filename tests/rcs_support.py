"""Shared by the RCS tests: a sandbox on a hand-moved clock, servers over it, complete sender details."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from mcp.server.mcpserver import MCPServer

from conftest import FakeClock, RecordingTransport
from sinch_provisioning_mcp.sandbox import SandboxState, create_app
from sinch_provisioning_mcp.sandbox.rcs_senders import SENDERS, TEST_NUMBERS
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings

PROJECT = "sandbox-project"
FIXTURE_SENDER = "00000000-0000-4000-8000-000000000051"
VERIFIED = "+46700000001"
DECLINED = "+46700000002"
DELAY = 5.0  # the sandbox's default transition delay

# Everything a launch in SE needs (no country section), as update_rcs_sender takes it.
READY_DETAILS: dict[str, Any] = {
    "brand": {
        "name": "Acme Parcels",
        "emails": [{"label": "Support", "address": "help@acme.example"}],
        "logo_url": "https://acme.example/logo.png",
        "banner_url": "https://acme.example/banner.png",
        "privacy_policy_url": "https://acme.example/privacy",
        "terms_of_service_url": "https://acme.example/terms",
    },
    "countries": ["SE"],
    "questionnaire": {
        "general": {
            "answers": {
                "optInDescription": "By making a purchase in-store or online",
                "triggerDescription": "User actions (e.g. after making a purchase)",
                "interactionsDescription": "Order updates",
                "optOutDescription": "Thank you for opting out",
            }
        },
        "verification": {
            "answers": {
                "name": "Kim Example",
                "email": "kim@acme.example",
                "title": "CTO",
                "website": "https://acme.example",
            }
        },
    },
}


@pytest.fixture
def rcs_state() -> SandboxState:
    return SandboxState(clock=FakeClock())


@pytest.fixture
def rcs_transport(rcs_state: SandboxState) -> RecordingTransport:
    return RecordingTransport(httpx2.ASGITransport(app=create_app(rcs_state)))


def server_over(transport: RecordingTransport, **settings: Any) -> MCPServer:
    return build_server(load_settings(sandbox=True, **{"toolsets": "rcs,legacy", **settings}), transport=transport)


@pytest.fixture
def rcs_server(rcs_transport: RecordingTransport) -> MCPServer:
    return server_over(rcs_transport)


def sender_resource(state: SandboxState, sender_id: str):
    return state.project(PROJECT).collection(SENDERS).get(sender_id)


def device_state(state: SandboxState, sender_id: str, number: str) -> str | None:
    return sender_resource(state, sender_id).collection(TEST_NUMBERS).get(number).state
