"""Nested bodies: objects, arrays of objects and `boolean|object` fields, their messages at their NestJS path."""

from __future__ import annotations

import pytest

from sinch_provisioning_mcp.sandbox.errors import PapiError
from sinch_provisioning_mcp.sandbox.validation import Rule, find_problems, validate

HOOK = (Rule("target", max_length=10), Rule("triggers", type="array", not_empty=True, enum=("A", "B")))
RULES = (
    Rule("region", enum=("EU", "US")),
    Rule(
        "app",
        type=("boolean", "object"),
        required=False,
        fields=(Rule("name", required=False, min_length=1), Rule("hooks", type="array", required=False, max_items=2, fields=HOOK)),
    ),
    Rule("labels", type="object", required=False),
    Rule("hooks", type="array", required=False, fields=HOOK),
)


def test_valid_nested_bodies_pass_whole():
    body = {"region": "EU", "app": {"name": "x", "hooks": [{"target": "t", "triggers": ["A"]}]}, "labels": {"k": "v"}}
    assert validate(body, RULES) == body
    assert validate({"region": "US", "app": True}, RULES) == {"region": "US", "app": True}
    assert find_problems({"region": "US", "app": False, "hooks": []}, RULES) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"region": "EU", "app": "yes"}, ["app must be boolean or object"]),
        ({"region": "EU", "app": [1]}, ["app must be boolean or object"]),
        ({"region": "EU", "labels": []}, ["labels must be an object"]),
        ({"region": "EU", "app": {"name": ""}}, ["app.name must be longer than or equal to 1 characters"]),
        ({"region": "EU", "app": {"nmae": "x"}}, ["app.property nmae should not exist"]),
        (
            {"region": "EU", "app": {"hooks": [{"target": "t", "triggers": ["A"]}, {"target": "much too long", "triggers": ["C"]}]}},
            [
                "app.hooks.1.target must be shorter than or equal to 10 characters",
                "app.hooks.1.each value in triggers must be one of the following values: A, B",
            ],
        ),
        (
            {"region": "EU", "app": {"hooks": [{"target": "t", "triggers": ["A"]}] * 3}},
            ["app.hooks must contain no more than 2 elements"],
        ),
        ({"region": "EU", "app": {"hooks": [{}]}}, ["app.hooks.0.target must be a string", "app.hooks.0.triggers must be an array"]),
        ({"region": "EU", "hooks": ["x", {"target": "t", "triggers": []}]}, [
            "each value in nested property hooks must be either object or array",
            "hooks.1.triggers should not be empty",
        ]),
    ],
)
def test_nested_problems_carry_their_path(body, expected):
    assert find_problems(body, RULES) == expected


def test_every_problem_at_every_depth_is_reported_at_once():
    with pytest.raises(PapiError) as refused:
        validate({"region": "XX", "app": {"hooks": [{"target": 1, "triggers": ["A"]}]}, "extra": 1}, RULES)
    assert refused.value.error_code == "invalid_input"
    assert refused.value.additional_information == {
        "validationErrors": [
            "property extra should not exist",
            "region must be one of the following values: EU, US",
            "app.hooks.0.target must be a string",
        ]
    }
