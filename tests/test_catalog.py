"""The project's copy of the catalog travels with the repository and stays the reference's twin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sinch_provisioning_mcp.api import operations
from sinch_provisioning_mcp.api.catalog import catalog
from sinch_provisioning_mcp.api.operations import Operation

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "provisioning-api.json"


@pytest.mark.skipif(not REFERENCE.exists(), reason="no shared reference beside this clone (a fresh clone stands alone)")
def test_copy_matches_the_shared_reference():
    assert catalog() == json.loads(REFERENCE.read_text())


def test_every_catalog_operation_has_its_constant():
    declared = {value.key for value in vars(operations).values() if isinstance(value, Operation)}
    assert declared == {f"{o['method']} {o['path']}" for o in catalog()["operations"]}
    assert len(declared) == 87


def test_an_operation_the_catalog_does_not_know_fails_at_declaration():
    with pytest.raises(KeyError, match="not an operation of the Provisioning API catalog"):
        Operation("GET", "/v1/projects/{projectId}/line/senders")


def test_policy_comes_from_the_effect_not_the_method():
    retry = operations.RETRY_RCS_TEST_NUMBER.policy
    assert retry.effect == "write" and not retry.read_only  # a GET that sends an invite
    waba = operations.LIST_WHATSAPP_WABA_DETAILS.policy
    assert waba.read_only  # a POST that only looks up
    assert operations.UPDATE_WEBHOOK.policy.conditional and operations.UPDATE_WEBHOOK.policy.destructive_hint
    launch = operations.LAUNCH_RCS_SENDER.policy
    assert launch.effect == "irreversible" and launch.confirm_reason and not launch.conditional
