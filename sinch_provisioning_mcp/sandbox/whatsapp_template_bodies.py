"""What a WhatsApp template's `details` may hold, as the OAS 1.2.117 input DTOs describe it
(`WhatsappTemplateDetailsInputDto` and its components), in the API's wording; and the one
check Meta's review makes that the API does not: body variables in order with examples.

Each function returns problems relative to what it checks; callers prefix them with the
path (`nested`), so a message reads as the API's: `details.components.2.buttons.0.text ...`.
Most of it is "not required for draft": `submit` says whether the template is submitted.
"""

from __future__ import annotations

import re
from typing import Any

from .validation import Rule, find_problems, nested

_MEDIA_EXAMPLE = (
    Rule("url", format="url"),
    Rule("mimeType", required=False, enum=("IMAGE/JPEG", "IMAGE/PNG", "APPLICATION/PDF", "VIDEO/3GP", "VIDEO/MP4")),
)
_BUTTON_TYPES = (
    "QUICK_REPLY",
    "URL",
    "PHONE_NUMBER",
    "OTP",
    "FLOW",
    "REQUEST_CONTACT_INFO",
    "ORDER_DETAILS",
    "COPY_CODE",
)
_CARD_BUTTON_TYPES = ("URL", "QUICK_REPLY", "PHONE_NUMBER")


def _button_rules(kind: str, submit: bool) -> tuple[Rule, ...]:
    text = Rule("text", required=submit, min_length=1, max_length=25)
    return {
        "QUICK_REPLY": (text,),
        "URL": (text, Rule("url", required=submit, format="url"), Rule("example", required=False, format="url")),
        "PHONE_NUMBER": (text, Rule("phoneNumber", required=submit)),
        "OTP": (
            Rule("otpType", enum=("COPY_CODE", "ONE_TAP", "ZERO_TAP")),
            text,
            Rule("autofillText", required=False, max_length=25),
            Rule("packageName", required=False),
            Rule("signatureHash", required=False),
            Rule("supportedApps", type="array", required=False, fields=(Rule("packageName"), Rule("signatureHash"))),
            Rule("zeroTapTermsAccepted", type="boolean", required=False),
        ),
        "FLOW": (
            text,
            Rule("flowId", required=submit, min_length=1, max_length=30, pattern=r"[0-9]+"),
            Rule("flowAction", required=submit, enum=("DATA_EXCHANGE", "NAVIGATE")),
            Rule("navigateScreen", required=False, min_length=1, max_length=432),
        ),
        "REQUEST_CONTACT_INFO": (),
        "ORDER_DETAILS": (Rule("text", required=False),),
        "COPY_CODE": (Rule("example", required=submit, min_length=1, max_length=20),),
    }[kind]


def _typed(item: Any, kinds: tuple[str, ...], rules: Any) -> list[str]:
    """An item of a union on `type`: the type checked first, then that type's fields."""
    if not isinstance(item, dict) or item.get("type") not in kinds:
        return [f"type must be one of the following values: {', '.join(kinds)}"]
    return find_problems({k: v for k, v in item.items() if k != "type"}, rules(item))


def _buttons(component: dict[str, Any], submit: bool, card: bool) -> list[str]:
    kinds = _CARD_BUTTON_TYPES if card else _BUTTON_TYPES
    buttons = component.get("buttons")
    problems = find_problems(
        {"buttons": buttons},
        (Rule("buttons", type="array", required=submit, not_empty=submit, max_items=2 if card else None),),
    )
    for index, button in enumerate(buttons if isinstance(buttons, list) else []):
        problems += nested(f"buttons.{index}", _typed(button, kinds, lambda b: _button_rules(b["type"], submit)))
    return problems


def _component_rules(component: dict[str, Any], submit: bool, card: bool, body_text: bool) -> tuple[Rule, ...]:
    kind, fmt = component["type"], component.get("format")
    if kind == "HEADER":
        formats = ("IMAGE", "VIDEO") if card else ("TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
        media = (
            ()
            if fmt in ("TEXT", "LOCATION")
            else (Rule("example", type="object", required=submit, fields=_MEDIA_EXAMPLE),)
        )
        text = (
            (Rule("text", required=submit, min_length=1, max_length=60), Rule("example", required=False, min_length=1))
            if fmt == "TEXT"
            else ()
        )
        return (Rule("format", enum=formats), *text, *media)
    if kind == "BODY":
        extra = () if card else (Rule("addSecurityRecommendation", type="boolean", required=False),)
        return (
            Rule("text", required=submit and body_text, min_length=1, max_length=160 if card else 1024),
            Rule("examples", type="array", required=False),
            *extra,
        )
    if kind == "FOOTER":
        return (
            Rule("text", required=False, max_length=60),
            Rule("codeExpirationMinutes", type="number", required=False),
        )
    if kind == "CAROUSEL":
        return (Rule("cards", type="array", required=submit, min_items=1, max_items=10),)
    return (
        Rule("text", min_length=1, max_length=16),
        Rule("hasExpiration", type="boolean", required=False),
    )  # LIMITED_TIME_OFFER


def _component(component: Any, submit: bool, card: bool, body_text: bool) -> list[str]:
    kinds = (
        ("HEADER", "BODY", "BUTTONS")
        if card
        else ("HEADER", "BODY", "FOOTER", "BUTTONS", "CAROUSEL", "LIMITED_TIME_OFFER")
    )
    if isinstance(component, dict) and component.get("type") == "BUTTONS":
        return _buttons(component, submit, card)
    problems = _typed(component, kinds, lambda c: _component_rules(c, submit, card, body_text))
    if isinstance(component, dict) and component.get("type") == "CAROUSEL" and isinstance(component.get("cards"), list):
        for index, one in enumerate(component["cards"]):
            components = one.get("components") if isinstance(one, dict) else None
            problems += nested(f"cards.{index}", _components(components, submit, card=True, body_text=True))
    return problems


def _components(components: Any, submit: bool, *, card: bool, body_text: bool) -> list[str]:
    if components is None:
        return ["components should not be null or undefined"] if submit else []
    if not isinstance(components, list):
        return ["components must be an array"]
    problems = [
        p for i, c in enumerate(components) for p in nested(f"components.{i}", _component(c, submit, card, body_text))
    ]
    kinds = [c.get("type") for c in components if isinstance(c, dict)]
    if len(kinds) != len(set(kinds)):
        problems.append("components field 'type' must have unique values across items")
    if submit and not card and "BODY" not in kinds:
        problems.append("components must contain a BODY component")
    return problems


_DETAILS = (
    Rule("messageSendTtlSeconds", type="number", required=False),
    Rule(
        "optimization",
        type="object",
        required=False,
        fields=(Rule("bidAmount", type="number", minimum=0), Rule("bidStrategy", enum=("LOWEST_COST_WITH_BID_CAP",))),
    ),
)


def details_problems(details: Any, submit: bool, category: str | None) -> list[str]:
    """`details` as the OAS input DTOs describe it; most of it is optional for a draft. An
    AUTHENTICATION body has no text of its own (Meta's preset text)."""
    if details is None:
        return ["details should not be null or undefined"] if submit else []
    if not isinstance(details, dict):
        return ["nested property details must be either object or array"]
    rest = {k: v for k, v in details.items() if k != "components"}
    body_text = category != "AUTHENTICATION"
    return nested(
        "details",
        find_problems(rest, _DETAILS) + _components(details.get("components"), submit, card=False, body_text=body_text),
    )


_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def meta_would_reject(details: dict[str, Any]) -> bool:
    """Meta's review: body variables `{{1}}`, `{{2}}`... in order, one example each."""
    for component in details.get("components") or []:
        if component.get("type") == "BODY" and component.get("text"):
            found = _VARIABLE.findall(component["text"])
            if found and (
                found != [str(n) for n in range(1, len(found) + 1)]
                or len(component.get("examples") or []) != len(found)
            ):
                return True
    return False
