"""The small generic parts of `tools/declare.py`: nested list summaries and read-back comparison."""

from __future__ import annotations

from sinch_provisioning_mcp.tools.declare import compare, summary_fields
from sinch_provisioning_mcp.tools.spec import InvalidArguments


def test_summaries_may_name_nested_fields():
    assert summary_fields(("id", "details.displayName", "changes.status", "items.*.code")) == {
        "id": True,
        "details": {"displayName": True},
        "changes": {"status": True},
        "items": {"__all__": {"code": True}},
    }


def test_lists_of_objects_read_back_in_order_each_by_the_same_rule():
    sent = {"details": {"components": [{"type": "BODY", "text": "Hi"}]}}
    echoed = {"details": {"components": [{"type": "BODY", "text": "Hi", "addedByTheApi": True}]}}
    changed = {"details": {"components": [{"type": "BODY", "text": "Hello"}]}}
    longer = {"details": {"components": [{"type": "BODY", "text": "Hi"}, {"type": "FOOTER"}]}}
    assert compare(sent, echoed, "template").ok
    assert not compare(sent, changed, "template").ok
    assert not compare(sent, longer, "template").ok
    assert compare({"triggers": ["B", "A"]}, {"triggers": ["A", "B"]}, "webhook").ok


def test_invalid_arguments_list_every_problem():
    error = InvalidArguments.of([{"field": "a", "problem": "x"}, {"field": "b.c", "problem": "y"}], "template")
    assert str(error) == "Invalid template; nothing was sent:\n- a: x\n- b.c: y"
    assert error.problems[1] == {"field": "b.c", "problem": "y"}
