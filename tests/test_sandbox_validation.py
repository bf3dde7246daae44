"""The field rules families declare their bodies with, and the class-validator sentences they produce."""

from __future__ import annotations

import pytest

from sinch_provisioning_mcp.sandbox.errors import PapiError
from sinch_provisioning_mcp.sandbox.validation import Rule, validate
from sinch_provisioning_mcp.sandbox.values import UUID

RULES = (
    Rule("displayName", min_length=2, max_length=5),
    Rule("email", required=False, format="email"),
    Rule("phone", required=False, format="e164"),
    Rule("vertical", required=False, enum=("RETAIL", "OTHER")),
    Rule("websites", type="array", required=False, max_items=2, format="url"),
    Rule("countries", type="array", required=False, min_items=1, unique_items=True),
    Rule("dailyLimit", type="integer", required=False, minimum=1, maximum=1000),
    Rule("test", type="boolean", required=False),
)


def problems(body: dict, *, partial: bool = False) -> list[str]:
    with pytest.raises(PapiError) as refused:
        validate(body, RULES, partial=partial)
    assert (refused.value.status, refused.value.error_code) == (400, "invalid_input")
    assert refused.value.additional_information is not None
    return refused.value.additional_information["validationErrors"]


def test_a_valid_body_gives_back_the_fields_it_sets():
    body = {
        "displayName": "Acme",
        "email": "ops@acme.example",
        "phone": "+46701234567",
        "vertical": "RETAIL",
        "websites": ["https://acme.example", "http://198.51.100.7/"],
        "countries": ["SE", "NO"],
        "dailyLimit": 1000,
        "test": False,
    }
    assert validate(body, RULES) == body
    assert validate({"displayName": "Acme", "email": None}, RULES) == {"displayName": "Acme", "email": None}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"displayName": "A"}, ["displayName must be longer than or equal to 2 characters"]),
        ({"displayName": "Acme Inc"}, ["displayName must be shorter than or equal to 5 characters"]),
        ({"displayName": "🙂🙂🙂"}, ["displayName must be shorter than or equal to 5 characters"]),  # UTF-16 units
        ({"displayName": "Ab", "email": "ops@localhost"}, ["email must be an email"]),
        ({"displayName": "Ab", "email": "no-at-sign.example"}, ["email must be an email"]),
        ({"displayName": "Ab", "phone": "0701234567"}, ["phone must be a valid phone number"]),
        ({"displayName": "Ab", "phone": "+0701234567"}, ["phone must be a valid phone number"]),
        ({"displayName": "Ab", "phone": 46701234567}, ["phone must be a string", "phone must be a valid phone number"]),
        ({"displayName": "Ab", "vertical": "retail"}, ["vertical must be one of the following values: RETAIL, OTHER"]),
        (
            {"displayName": "Ab", "websites": ["https://a.example", "https://b.example", "ftp://c.example"]},
            ["websites must contain no more than 2 elements", "each value in websites must be a URL address"],
        ),
        ({"displayName": "Ab", "countries": []}, ["countries must contain at least 1 elements"]),
        ({"displayName": "Ab", "countries": ["SE", "SE"]}, ["All countries's elements must be unique"]),
        ({"displayName": "Ab", "countries": "SE"}, ["countries must be an array"]),
        ({"displayName": "Ab", "dailyLimit": 0}, ["dailyLimit must not be less than 1"]),
        ({"displayName": "Ab", "dailyLimit": 1001}, ["dailyLimit must not be greater than 1000"]),
        ({"displayName": "Ab", "dailyLimit": 2.5}, ["dailyLimit must be an integer number"]),
        ({"displayName": "Ab", "dailyLimit": True}, ["dailyLimit must be an integer number"]),
        ({"displayName": "Ab", "test": "yes"}, ["test must be a boolean value"]),
        ({}, ["displayName must be a string"]),
        ({"displayName": "Ab", "colour": "red", "size": 1}, ["property colour should not exist", "property size should not exist"]),
    ],
)
def test_each_problem_in_class_validator_wording(body, expected):
    assert problems(body) == expected


def test_every_problem_is_listed_at_once_unknown_fields_first():
    assert problems({"size": 1, "displayName": "A", "vertical": "X", "test": 1}) == [
        "property size should not exist",
        "displayName must be longer than or equal to 2 characters",
        "vertical must be one of the following values: RETAIL, OTHER",
        "test must be a boolean value",
    ]


def test_partial_bodies_check_only_what_they_send():
    assert validate({"vertical": "OTHER"}, RULES, partial=True) == {"vertical": "OTHER"}
    assert problems({"displayName": "A"}, partial=True) == ["displayName must be longer than or equal to 2 characters"]


NESTED = (
    Rule(
        "details",
        type="object",
        fields=(
            Rule("brand", type="object", required=False, fields=(Rule("name", max_length=3),)),
            Rule("emails", type="array", required=False, fields=(Rule("address", format="email"),)),
            Rule("answers", type="object", required=False),  # free-form
        ),
    ),
)


def nested_problems(body: dict) -> list[str]:
    with pytest.raises(PapiError) as refused:
        validate(body, NESTED)
    return refused.value.additional_information["validationErrors"]


def test_nested_objects_are_checked_with_their_full_property_paths():
    assert nested_problems(
        {"details": {"brand": {"name": "Acme", "logo": 1}, "emails": [{"address": "x"}, "y"], "answers": {"any": [1]}}}
    ) == [
        # NestJS prefixes a nested DTO's messages with its path, whole sentence included.
        "details.brand.property logo should not exist",
        "details.brand.name must be shorter than or equal to 3 characters",
        "details.each value in nested property emails must be either object or array",
        "details.emails.0.address must be an email",
    ]
    assert nested_problems({"details": "text"}) == ["nested property details must be either object or array"]
    assert nested_problems({}) == ["nested property details must be either object or array"]


def test_a_valid_nested_body_and_nulls_inside_it():
    body = {"details": {"brand": None, "emails": [{"address": "ops@acme.example"}], "answers": {"q": "a"}}}
    assert validate(body, NESTED) == body  # null counts as left out, inside too


def test_uuid_ids_are_case_insensitive_and_canonical_in_lower_case():
    made = UUID.new(0.0)
    assert UUID.parse(made) == made == made.lower() and made[14] == "4"
    assert UUID.parse(made.upper()) == made
    assert UUID.parse("01J00000000000000000WEBHK1") is None


PATTERNED = (
    Rule("name", pattern=r"[a-z0-9][a-z0-9_]*[a-z0-9]"),
    Rule("details", type="object", required=False, fields=(Rule("displayName", max_length=5), Rule("about", required=False))),
    Rule("cards", type="array", required=False, fields=(Rule("title", min_length=1),)),
)


def test_nested_objects_and_patterns_are_checked_with_their_parents_path():
    body = {"name": "ok_name", "details": {"displayName": "Acme"}, "cards": [{"title": "a"}]}
    assert validate(body, PATTERNED) == body
    with pytest.raises(PapiError) as refused:
        validate({"name": "Bad-Name", "details": {"displayName": "Acme Inc", "x": 1}, "cards": [{"title": ""}, "no"]}, PATTERNED)
    assert refused.value.additional_information["validationErrors"] == [
        "name must match /^[a-z0-9][a-z0-9_]*[a-z0-9]$/ regular expression",
        "details.property x should not exist",
        "details.displayName must be shorter than or equal to 5 characters",
        "each value in nested property cards must be either object or array",
        "cards.0.title must be longer than or equal to 1 characters",
    ]
    with pytest.raises(PapiError) as refused:
        validate({"name": "ab", "details": "Acme"}, PATTERNED)
    assert refused.value.additional_information["validationErrors"] == ["nested property details must be either object or array"]
