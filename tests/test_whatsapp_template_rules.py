"""WhatsApp's template rules, one family at a time: each violation named by its path."""

from __future__ import annotations

from typing import Any

import pytest

from sinch_provisioning_mcp.tools.spec import InvalidArguments
from sinch_provisioning_mcp.tools.whatsapp_template_rules import check_template
from sinch_provisioning_mcp.tools.whatsapp_templates import Details

BODY = {"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped.", "examples": ["Ann", "A-1"]}
OTP = {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]}


def problems(
    *components: dict[str, Any],
    category: str = "UTILITY",
    submit: bool = True,
    name: str | None = "order_update",
    **details: Any,
) -> list[dict[str, str]]:
    parsed = Details.model_validate({"components": list(components), **details})
    try:
        check_template(name=name, category=category, details=parsed, submit=submit)
    except InvalidArguments as exc:
        assert exc.problems and str(exc).startswith("Invalid template; nothing was sent:")
        return exc.problems
    return []


def fields(found: list[dict[str, str]]) -> list[str]:
    return [p["field"] for p in found]


def test_a_valid_template_passes():
    header = {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": "A-1"}
    footer = {"type": "FOOTER", "text": "Reply STOP to opt out"}
    buttons = {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Yes"},
            {"type": "QUICK_REPLY", "text": "No"},
            {
                "type": "URL",
                "text": "Track",
                "url": "https://example.com/t/{{1}}",
                "example": "https://example.com/t/A-1",
            },
            {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+48777777777"},
        ],
    }
    assert problems(header, BODY, footer, buttons, message_send_ttl_seconds=3600) == []
    assert problems(BODY, OTP | {}, category="UTILITY", submit=True) != []  # OTP outside AUTHENTICATION


@pytest.mark.parametrize("name", ["Order", "order-update", "_order", "order_", "x", "a" * 513])
def test_name_format(name):
    assert fields(problems(BODY, name=name)) == ["name"]


@pytest.mark.parametrize(
    ("component", "field", "phrase"),
    [
        ({"type": "HEADER", "format": "TEXT", "text": "x" * 61}, "details.components[0].text", "at most 60"),
        ({"type": "FOOTER", "text": "x" * 61}, "details.components[0].text", "at most 60"),
        ({"type": "FOOTER", "text": "Hi {{1}}"}, "details.components[0].text", "no variables"),
        (
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "x" * 26}]},
            "details.components[0].buttons[0].text",
            "at most 25",
        ),
    ],
)
def test_length_limits(component, field, phrase):
    found = problems(component, BODY)
    assert field in fields(found) and any(phrase in p["problem"] for p in found)


def test_body_length_and_required_text():
    assert fields(problems({"type": "BODY", "text": "x" * 1025})) == ["details.components[0].text"]
    assert fields(problems({"type": "BODY"})) == ["details.components[0].text"]
    assert problems({"type": "BODY"}, submit=False) == []  # a draft may be incomplete


@pytest.mark.parametrize(
    ("text", "examples", "field", "phrase"),
    [
        ("Hi {{2}}", ["x"], "details.components[0].text", "in order"),
        ("Hi {{1}} and {{3}}", ["x", "y"], "details.components[0].text", "none skipped"),
        ("Hi {{name}}", ["x"], "details.components[0].text", "positional"),
        ("Hi {{1}} {{2}}", ["x"], "details.components[0].examples", "2 expected, 1 given"),
        ("Hi {{1}}", None, "details.components[0].examples", "1 expected, 0 given"),
        ("Hi there", ["x"], "details.components[0].examples", "no {{n}} variable"),
    ],
)
def test_variables_in_order_with_one_example_each(text, examples, field, phrase):
    found = problems({"type": "BODY", "text": text, "examples": examples})
    assert field in fields(found)
    assert any(phrase in p["problem"] for p in found if p["field"] == field)


def test_header_variable_rules():
    two = problems({"type": "HEADER", "format": "TEXT", "text": "{{1}} {{2}}", "example": "x"}, BODY)
    assert "at most 1 variable" in two[0]["problem"]
    missing = problems({"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"}, BODY)
    assert fields(missing) == ["details.components[0].example"]
    media = problems({"type": "HEADER", "format": "IMAGE"}, BODY)
    assert fields(media) == ["details.components[0].example"]
    located = problems({"type": "HEADER", "format": "LOCATION", "text": "here"}, BODY)
    assert fields(located) == ["details.components[0].text"]


def test_button_counts_and_grouping():
    many = {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": f"Q{n}"} for n in range(11)]}
    assert "at most 10 buttons" in problems(BODY, many)[0]["problem"]
    urls = {
        "type": "BUTTONS",
        "buttons": [{"type": "URL", "text": f"U{n}", "url": f"https://e.com/{n}"} for n in range(3)],
    }
    assert any("at most 2 URL" in p["problem"] for p in problems(BODY, urls))
    phones = {
        "type": "BUTTONS",
        "buttons": [{"type": "PHONE_NUMBER", "text": f"P{n}", "phone_number": "+4877777777"} for n in range(2)],
    }
    assert any("at most 1 PHONE_NUMBER" in p["problem"] for p in problems(BODY, phones))
    split = {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "A"},
            {"type": "URL", "text": "U", "url": "https://e.com"},
            {"type": "QUICK_REPLY", "text": "B"},
        ],
    }
    assert any("grouped together" in p["problem"] for p in problems(BODY, split))


@pytest.mark.parametrize(
    ("button", "field", "phrase"),
    [
        ({"type": "URL", "text": "Go", "url": "https://wa.me/123"}, "url", "not allowed"),
        (
            {"type": "URL", "text": "Go", "url": "https://e.com/{{1}}/x", "example": "https://e.com/1/x"},
            "url",
            "at the end",
        ),
        ({"type": "URL", "text": "Go", "url": "https://e.com/{{1}}"}, "example", "required"),
        (
            {"type": "URL", "text": "Go", "url": "https://e.com", "example": "https://e.com"},
            "example",
            "only a URL with",
        ),
        ({"type": "URL", "text": "Go", "url": "ftp://e.com"}, "url", "http(s)"),
        ({"type": "QUICK_REPLY", "text": "Go", "url": "https://e.com"}, "url", "not a field of a QUICK_REPLY"),
        ({"type": "PHONE_NUMBER", "text": "Call", "phone_number": "777"}, "phone_number", "country code"),
        (
            {
                "type": "FLOW",
                "text": "Start",
                "flow_id": "abc",
                "flow_action": "NAVIGATE",
                "navigate_screen": "WELCOME",
            },
            "flow_id",
            "digits",
        ),
        (
            {"type": "FLOW", "text": "Start", "flow_id": "123", "flow_action": "NAVIGATE"},
            "navigate_screen",
            "required for NAVIGATE",
        ),
    ],
)
def test_each_button_type_checks_its_own_fields(button, field, phrase):
    found = problems(BODY, {"type": "BUTTONS", "buttons": [button]})
    where = f"details.components[1].buttons[0].{field}"
    assert any(p["field"] == where and phrase in p["problem"] for p in found), found


def test_one_of_each_component_and_a_body_to_submit():
    found = problems(BODY, {"type": "FOOTER", "text": "a"}, {"type": "FOOTER", "text": "b"})
    assert fields(found) == ["details.components[2].type"]
    assert fields(problems({"type": "FOOTER", "text": "a"})) == ["details.components"]
    assert problems({"type": "FOOTER", "text": "a"}, submit=False) == []
    check = pytest.raises(InvalidArguments)
    with check:
        check_template(name="x_y", category="UTILITY", details=None, submit=True)
    assert check.excinfo.value.problems == [
        {"field": "details", "problem": "required to submit: at least a BODY component (a DRAFT may leave it out)"}
    ]


def test_authentication_templates():
    assert (
        problems(
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "FOOTER", "code_expiration_minutes": 10},
            OTP,
            category="AUTHENTICATION",
        )
        == []
    )
    assert fields(
        problems({"type": "BODY", "text": "Your code {{1}}", "examples": ["1"]}, OTP, category="AUTHENTICATION")
    ) == ["details.components[0].text"]
    assert fields(problems({"type": "BODY"}, category="AUTHENTICATION")) == ["details.components"]
    header = problems(
        {"type": "HEADER", "format": "TEXT", "text": "Code"}, {"type": "BODY"}, OTP, category="AUTHENTICATION"
    )
    assert "details.components[0].type" in fields(header)
    expiry = problems(
        {"type": "BODY"}, {"type": "FOOTER", "code_expiration_minutes": 91}, OTP, category="AUTHENTICATION"
    )
    assert expiry == [{"field": "details.components[1].code_expiration_minutes", "problem": "1..90 minutes"}]
    not_auth = problems(BODY | {"add_security_recommendation": True}, {"type": "FOOTER", "code_expiration_minutes": 5})
    assert fields(not_auth) == [
        "details.components[0].add_security_recommendation",
        "details.components[1].code_expiration_minutes",
    ]
    two = {"type": "BUTTONS", "buttons": [OTP["buttons"][0], {"type": "QUICK_REPLY", "text": "No"}]}
    assert "details.components[1].buttons" in fields(problems({"type": "BODY"}, two, category="AUTHENTICATION"))


@pytest.mark.parametrize(
    ("otp", "field", "phrase"),
    [
        ({"otp_type": "ONE_TAP", "text": "Autofill"}, "supported_apps", "Android app"),
        (
            {
                "otp_type": "ZERO_TAP",
                "text": "Autofill",
                "supported_apps": [{"package_name": "com.a", "signature_hash": "h"}],
            },
            "zero_tap_terms_accepted",
            "terms",
        ),
        ({"otp_type": "COPY_CODE", "text": "Copy", "autofill_text": "Fill"}, "autofill_text", "only for ONE_TAP"),
        (
            {"otp_type": "COPY_CODE", "text": "Copy", "zero_tap_terms_accepted": True},
            "zero_tap_terms_accepted",
            "only for ZERO_TAP",
        ),
        (
            {
                "otp_type": "ONE_TAP",
                "text": "Fill",
                "supported_apps": [{"package_name": f"com.a{n}", "signature_hash": "h"} for n in range(6)],
            },
            "supported_apps",
            "at most 5",
        ),
    ],
)
def test_otp_button_types(otp, field, phrase):
    found = problems(
        {"type": "BODY"}, {"type": "BUTTONS", "buttons": [{"type": "OTP", **otp}]}, category="AUTHENTICATION"
    )
    assert any(p["field"] == f"details.components[1].buttons[0].{field}" and phrase in p["problem"] for p in found), (
        found
    )


def _card(buttons: list[str], body: bool = True) -> dict[str, Any]:
    components: list[dict[str, Any]] = [
        {"type": "HEADER", "format": "IMAGE", "example": {"url": "https://e.com/a.png"}}
    ]
    if body:
        components.append({"type": "BODY", "text": "Card {{1}}", "examples": ["x"]})
    components.append(
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": kind, "text": f"{kind[:5]} {n}", **({"url": "https://e.com"} if kind == "URL" else {})}
                for n, kind in enumerate(buttons)
            ],
        }
    )
    return {"components": components}


def test_carousels():
    body = {"type": "BODY", "text": "Our picks for you"}
    good = {"type": "CAROUSEL", "cards": [_card(["QUICK_REPLY", "URL"]), _card(["QUICK_REPLY", "URL"])]}
    assert problems(body, good, category="MARKETING") == []
    assert "details.components[1].type" in fields(problems(body, good, category="UTILITY"))
    one = {"type": "CAROUSEL", "cards": [_card(["QUICK_REPLY"])]}
    assert fields(problems(body, one, category="MARKETING")) == ["details.components[1].cards"]
    assert problems(body, one, category="MARKETING", submit=False) == []
    eleven = {"type": "CAROUSEL", "cards": [_card(["QUICK_REPLY"]) for _ in range(11)]}
    assert fields(problems(body, eleven, category="MARKETING", submit=False)) == ["details.components[1].cards"]
    unlike = {"type": "CAROUSEL", "cards": [_card(["QUICK_REPLY"]), _card(["URL"])]}
    assert fields(problems(body, unlike, category="MARKETING")) == ["details.components[1].cards[1].components"]
    long_body = _card(["QUICK_REPLY"])
    long_body["components"][1]["text"] = "x" * 161
    found = problems(body, {"type": "CAROUSEL", "cards": [long_body, _card(["QUICK_REPLY"])]}, category="MARKETING")
    assert "details.components[1].cards[0].components[1].text" in fields(found)
    three = {"type": "CAROUSEL", "cards": [_card(["QUICK_REPLY"] * 3), _card(["QUICK_REPLY"] * 3)]}
    assert any("at most 2 buttons" in p["problem"] for p in problems(body, three, category="MARKETING"))
    document = _card(["QUICK_REPLY"])
    document["components"][0]["format"] = "DOCUMENT"
    assert "details.components[1].cards[0].components[0].format" in fields(
        problems(body, {"type": "CAROUSEL", "cards": [document, document]}, category="MARKETING")
    )
    beside = problems(body, {"type": "FOOTER", "text": "x"}, good, category="MARKETING")
    assert fields(beside) == ["details.components[1].type"]


@pytest.mark.parametrize(
    ("category", "ttl", "ok"),
    [
        ("AUTHENTICATION", 900, True),
        ("AUTHENTICATION", 901, False),
        ("MARKETING", 43_199, False),
        ("UTILITY", 30, True),
        ("UTILITY", 43_201, False),
    ],
)
def test_message_ttl_ranges_by_category(category, ttl, ok):
    components = [{"type": "BODY"}, OTP] if category == "AUTHENTICATION" else [{"type": "BODY", "text": "Hello"}]
    found = problems(*components, category=category, message_send_ttl_seconds=ttl)
    assert (found == []) is ok
    if not ok:
        assert fields(found) == ["details.message_send_ttl_seconds"]


def test_every_violation_is_reported_at_once():
    found = problems(
        {"type": "HEADER", "format": "TEXT", "text": "x" * 70},
        {"type": "BODY", "text": "Hi {{2}}"},
        {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "y" * 30, "url": "https://whatsapp.com/x"}]},
        name="Bad Name",
    )
    assert {
        "name",
        "details.components[0].text",
        "details.components[1].text",
        "details.components[2].buttons[0].text",
        "details.components[2].buttons[0].url",
    } <= set(fields(found))
