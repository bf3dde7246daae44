"""WhatsApp's own template rules, checked before a template is sent: every violation at once,
each with its path (`details.components[1].text`) and what is allowed.

Sources (read through the project's `search` tool; facts, not code):
- Meta, "Template components" (developers.facebook.com/documentation/business-messaging/
  whatsapp/templates/components): text header at most 60 characters and one parameter with
  its example; body at most 1,024; footer at most 60; at most 10 buttons, of which at most
  2 URL and 1 phone number, quick replies grouped together (Meta's button list as
  summarised by docs.gupshup.io/docs/template-button-list and docs.bird.com); an
  AUTHENTICATION template has exactly one button, of type OTP.
- Meta, "Media card carousel templates": MARKETING only; the message body plus 2 to 10
  cards, each an IMAGE or VIDEO header, an optional body (at most 160 characters,
  docs.360dialog.com) and up to two quick reply, URL or phone number buttons; every card
  has the same components.
- Meta, "Copy code / one-tap autofill / zero-tap authentication templates": Meta writes
  the text (`add_security_recommendation` adds the warning, `code_expiration_minutes`
  1..90 the expiry line, docs.bird.com); one-tap and zero-tap need the Android
  `supported_apps` (at most 5), zero-tap `zero_tap_terms_accepted`; autofill text at most 25.
- Sinch Provisioning API, OAS 1.2.117 (api-evangelist/sinch, openapi/sinch-whatsapp-
  templates-api-openapi.yml): name `^[a-z0-9][a-z0-9_]*[a-z0-9]$` up to 512 characters;
  variables `{{1}}`, `{{2}}`... with one example each; button text 1..25 characters; a URL
  variable only at the end of the URL, only dynamic URL buttons take an example, no
  `wa.me` or `whatsapp.com` links; flow id at most 30 digits, `navigate_screen` (at most
  432) required for NAVIGATE; `message_send_ttl_seconds` AUTHENTICATION 10..900, MARKETING
  43200..2592000, UTILITY 30..43200; "not required for draft".

A DRAFT may be incomplete (missing texts, examples, cards, the OTP button...): only what
could never become valid is refused for it (lengths, counts, order, wrong fields).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sinch_provisioning_mcp.tools.spec import InvalidArguments

NAME = re.compile(r"[a-z0-9][a-z0-9_]*[a-z0-9]")
VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TTL_SECONDS = {"AUTHENTICATION": (10, 900), "MARKETING": (43_200, 2_592_000), "UTILITY": (30, 43_200)}
LIMITS = {"header": 60, "body": 1024, "card_body": 160, "footer": 60, "button": 25}
MAX_BUTTONS, MAX_URL_BUTTONS, MAX_PHONE_BUTTONS, MAX_SUPPORTED_APPS = 10, 2, 1, 5
CARDS = (2, 10)
RESTRICTED_DOMAINS = ("wa.me", "whatsapp.com")
# Fields each button type takes besides `type` and `text`.
BUTTON_FIELDS = {
    "QUICK_REPLY": set(),
    "URL": {"url", "example"},
    "PHONE_NUMBER": {"phone_number"},
    "OTP": {"otp_type", "autofill_text", "supported_apps", "zero_tap_terms_accepted"},
    "FLOW": {"flow_id", "flow_action", "navigate_screen"},
    "REQUEST_CONTACT_INFO": set(),
}
_PHONE = re.compile(r"\+[1-9][0-9 ]{6,19}")


class Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, problem: str) -> None:
        self.items.append({"field": field, "problem": problem})


def check_template(*, name: str | None, category: str | None, details: Any, submit: bool) -> None:
    """Raise `InvalidArguments` with every violation of WhatsApp's template rules."""
    found = Problems()
    if name is not None:
        name_rules(found, name)
    components = list(getattr(details, "components", None) or [])
    if details is None:
        if submit:
            found.add("details", "required to submit: at least a BODY component (a DRAFT may leave it out)")
    else:
        structure_rules(found, category, components, submit)
    for index, component in enumerate(components):
        component_rules(found, f"details.components[{index}]", component, category, submit)
    ttl = getattr(details, "message_send_ttl_seconds", None)
    if ttl is not None and category in TTL_SECONDS:
        low, high = TTL_SECONDS[category]
        if not low <= ttl <= high:
            found.add("details.message_send_ttl_seconds", f"{category} templates take {low}..{high} seconds")
    if found.items:
        raise InvalidArguments.of(found.items, "template")


def name_rules(found: Problems, name: str) -> None:
    if len(name) > 512 or NAME.fullmatch(name) is None:
        found.add(
            "name", "lowercase letters, digits and underscores, starting and ending with a letter or digit, at most 512"
        )


def structure_rules(found: Problems, category: str | None, components: Sequence[Any], submit: bool) -> None:
    """One of each component; BODY to submit; what AUTHENTICATION and carousel templates allow."""
    seen: dict[str, int] = {}
    for index, component in enumerate(components):
        where = f"details.components[{index}]"
        if component.type in seen:
            found.add(
                f"{where}.type", f"{component.type} already at components[{seen[component.type]}]: one of each type"
            )
        seen.setdefault(component.type, index)
        if category == "AUTHENTICATION" and component.type in ("HEADER", "CAROUSEL"):
            found.add(f"{where}.type", "AUTHENTICATION templates take only BODY, FOOTER and one OTP button")
        if component.type == "CAROUSEL" and category not in (None, "MARKETING"):
            found.add(f"{where}.type", "carousels are for MARKETING templates only")
    if "CAROUSEL" in seen:
        for other in ("HEADER", "FOOTER", "BUTTONS"):
            if other in seen:
                found.add(
                    f"details.components[{seen[other]}].type", "a carousel template has only a BODY beside its CAROUSEL"
                )
    if submit and "BODY" not in seen:
        found.add("details.components", "a BODY component is required to submit")
    if submit and category == "AUTHENTICATION" and "BUTTONS" not in seen:
        found.add("details.components", "AUTHENTICATION templates need a BUTTONS component with one OTP button")


def component_rules(found: Problems, where: str, component: Any, category: str | None, submit: bool) -> None:
    kind = component.type
    if kind == "HEADER":
        header_rules(found, where, component, submit, card=False)
    elif kind == "BODY":
        body_rules(found, where, component, category, submit, limit=LIMITS["body"])
    elif kind == "FOOTER":
        footer_rules(found, where, component, category)
    elif kind == "BUTTONS":
        button_rules(found, where, component.buttons, category, submit, card=False)
    elif kind == "CAROUSEL":
        carousel_rules(found, where, component.cards, submit)


def _variables(found: Problems, where: str, text: str, *, most: int | None = None) -> int:
    """`{{1}}`, `{{2}}`... in order of first appearance; how many there are."""
    names = list(dict.fromkeys(VARIABLE.findall(text)))
    if any(not name.isdigit() for name in names):
        found.add(where, "use positional variables {{1}}, {{2}}..., not names")
        return len(names)
    if names != [str(n) for n in range(1, len(names) + 1)]:
        found.add(where, "variables must be {{1}}, {{2}}... in order, starting at {{1}}, none skipped")
    if most is not None and len(names) > most:
        found.add(where, f"at most {most} variable here")
    return len(names)


def _length(found: Problems, where: str, text: str | None, limit: int, *, required: bool) -> None:
    if not text:
        if required:
            found.add(where, "required to submit")
    elif len(text) > limit:
        found.add(where, f"at most {limit} characters")


def header_rules(found: Problems, where: str, header: Any, submit: bool, *, card: bool) -> None:
    fmt = header.format
    if card and fmt not in ("IMAGE", "VIDEO"):
        found.add(f"{where}.format", "a card header is IMAGE or VIDEO")
    if fmt == "TEXT":
        _length(found, f"{where}.text", header.text, LIMITS["header"], required=submit)
        count = _variables(found, f"{where}.text", header.text or "", most=1)
        if header.example is not None and not isinstance(header.example, str):
            found.add(f"{where}.example", "a TEXT header's example is the value of its {{1}}")
        elif count and not header.example and submit:
            found.add(f"{where}.example", "required: the value of {{1}}")
        elif header.example and not count:
            found.add(f"{where}.example", "only a header with {{1}} takes an example")
        return
    if header.text is not None:
        found.add(f"{where}.text", f"a {fmt} header has no text")
    if fmt == "LOCATION":
        if header.example is not None:
            found.add(f"{where}.example", "a LOCATION header has no example")
    elif isinstance(header.example, str):
        found.add(f"{where}.example", "a media header's example is {url, mime_type}")
    elif header.example is None and submit:
        found.add(f"{where}.example", "required to submit: {url} of a sample file")
    elif header.example is not None and not _is_url(header.example.url):
        found.add(f"{where}.example.url", "an absolute http(s) URL")


def body_rules(found: Problems, where: str, body: Any, category: str | None, submit: bool, *, limit: int) -> None:
    if category == "AUTHENTICATION":
        if body.text or body.examples:
            found.add(f"{where}.text", "AUTHENTICATION bodies are Meta's preset text: leave text and examples out")
        return
    if body.add_security_recommendation is not None:
        found.add(f"{where}.add_security_recommendation", "only for AUTHENTICATION templates")
    _length(found, f"{where}.text", body.text, limit, required=submit)
    count = _variables(found, f"{where}.text", body.text or "")
    examples = len(body.examples or [])
    if count and (examples != count) and (submit or examples):
        found.add(f"{where}.examples", f"one example per variable: {count} expected, {examples} given")
    elif examples and not count:
        found.add(f"{where}.examples", "the text has no {{n}} variable to give an example for")


def footer_rules(found: Problems, where: str, footer: Any, category: str | None) -> None:
    if footer.code_expiration_minutes is not None:
        if category not in (None, "AUTHENTICATION"):
            found.add(f"{where}.code_expiration_minutes", "only for AUTHENTICATION templates")
        elif not 1 <= footer.code_expiration_minutes <= 90:
            found.add(f"{where}.code_expiration_minutes", "1..90 minutes")
    if category == "AUTHENTICATION" and footer.text:
        found.add(f"{where}.text", "AUTHENTICATION footers are Meta's text: use code_expiration_minutes")
    _length(found, f"{where}.text", footer.text, LIMITS["footer"], required=False)
    if footer.text and VARIABLE.search(footer.text):
        found.add(f"{where}.text", "a footer has no variables")


def button_rules(
    found: Problems, where: str, buttons: Sequence[Any], category: str | None, submit: bool, *, card: bool
) -> None:
    """Counts, grouping and each button's own fields."""
    kinds = [button.type for button in buttons]
    most = 2 if card else (1 if category == "AUTHENTICATION" else MAX_BUTTONS)
    if len(buttons) > most:
        found.add(f"{where}.buttons", f"at most {most} buttons here")
    if submit and not buttons:
        found.add(f"{where}.buttons", "at least one button to submit")
    for kind, most_of_kind in (
        ("URL", MAX_URL_BUTTONS),
        ("PHONE_NUMBER", MAX_PHONE_BUTTONS),
        ("FLOW", 1),
        ("REQUEST_CONTACT_INFO", 1),
    ):
        if kinds.count(kind) > most_of_kind:
            found.add(f"{where}.buttons", f"at most {most_of_kind} {kind} button{'s' if most_of_kind > 1 else ''}")
    quick = [i for i, kind in enumerate(kinds) if kind == "QUICK_REPLY"]
    if quick and quick != list(range(quick[0], quick[-1] + 1)):
        found.add(f"{where}.buttons", "quick replies must be grouped together, before or after the other buttons")
    if category == "AUTHENTICATION" and submit and kinds != ["OTP"]:
        found.add(f"{where}.buttons", "AUTHENTICATION templates have exactly one button, of type OTP")
    pairs = [(button.type, button.text) for button in buttons if button.text]
    if len(pairs) != len(set(pairs)):
        found.add(f"{where}.buttons", "two buttons of one type with the same text")
    for index, button in enumerate(buttons):
        one_button_rules(found, f"{where}.buttons[{index}]", button, category, submit, card=card)


def one_button_rules(
    found: Problems, where: str, button: Any, category: str | None, submit: bool, *, card: bool
) -> None:
    kind = button.type
    if card and kind not in ("QUICK_REPLY", "URL", "PHONE_NUMBER"):
        found.add(f"{where}.type", "card buttons are QUICK_REPLY, URL or PHONE_NUMBER")
    if kind == "OTP" and category not in (None, "AUTHENTICATION"):
        found.add(f"{where}.type", "OTP buttons are for AUTHENTICATION templates")
    if category == "AUTHENTICATION" and kind != "OTP":
        found.add(f"{where}.type", "AUTHENTICATION templates take only an OTP button")
    for field in sorted(set().union(*BUTTON_FIELDS.values()) - BUTTON_FIELDS[kind]):
        if getattr(button, field) is not None:
            found.add(f"{where}.{field}", f"not a field of a {kind} button")
    if kind == "REQUEST_CONTACT_INFO":
        return
    _length(found, f"{where}.text", button.text, LIMITS["button"], required=submit and kind != "OTP")
    if button.text and VARIABLE.search(button.text):
        found.add(f"{where}.text", "button texts have no variables")
    if kind == "URL":
        url_rules(found, where, button, submit)
    elif kind == "PHONE_NUMBER":
        if button.phone_number is None:
            if submit:
                found.add(f"{where}.phone_number", "required to submit")
        elif _PHONE.fullmatch(button.phone_number) is None:
            found.add(f"{where}.phone_number", "international format with country code, e.g. +4877777777")
    elif kind == "OTP":
        otp_rules(found, where, button)
    elif kind == "FLOW":
        flow_rules(found, where, button, submit)


def url_rules(found: Problems, where: str, button: Any, submit: bool) -> None:
    if button.url is None:
        if submit:
            found.add(f"{where}.url", "required to submit")
        return
    if not _is_url(button.url.replace("{{1}}", "x")):
        found.add(f"{where}.url", "an absolute http(s) URL")
    host = (urlsplit(button.url).hostname or "").lower()
    if any(host == domain or host.endswith(f".{domain}") for domain in RESTRICTED_DOMAINS):
        found.add(f"{where}.url", "wa.me and whatsapp.com links are not allowed")
    count = _variables(found, f"{where}.url", button.url, most=1)
    if count and not button.url.rstrip().endswith("}}"):
        found.add(f"{where}.url", "the {{1}} variable goes at the end of the URL")
    if count and button.example is None and submit:
        found.add(f"{where}.example", "required: the full URL with a sample value for {{1}}")
    if button.example is not None and not count:
        found.add(f"{where}.example", "only a URL with {{1}} takes an example")


def otp_rules(found: Problems, where: str, button: Any) -> None:
    if button.otp_type is None:
        found.add(f"{where}.otp_type", "required: COPY_CODE, ONE_TAP or ZERO_TAP")
        return
    tapped = button.otp_type in ("ONE_TAP", "ZERO_TAP")
    apps = button.supported_apps or []
    if tapped and not apps:
        found.add(
            f"{where}.supported_apps", f"{button.otp_type} needs your Android app: package_name and signature_hash"
        )
    if not tapped and (apps or button.autofill_text):
        found.add(f"{where}.supported_apps" if apps else f"{where}.autofill_text", "only for ONE_TAP and ZERO_TAP")
    if len(apps) > MAX_SUPPORTED_APPS:
        found.add(f"{where}.supported_apps", f"at most {MAX_SUPPORTED_APPS} apps")
    if button.otp_type == "ZERO_TAP" and button.zero_tap_terms_accepted is not True:
        found.add(f"{where}.zero_tap_terms_accepted", "ZERO_TAP needs the zero-tap terms accepted (true)")
    if button.otp_type != "ZERO_TAP" and button.zero_tap_terms_accepted is not None:
        found.add(f"{where}.zero_tap_terms_accepted", "only for ZERO_TAP")
    if button.autofill_text and len(button.autofill_text) > LIMITS["button"]:
        found.add(f"{where}.autofill_text", f"at most {LIMITS['button']} characters")


def flow_rules(found: Problems, where: str, button: Any, submit: bool) -> None:
    if button.flow_id is None:
        if submit:
            found.add(f"{where}.flow_id", "required to submit: a flow id from list_whatsapp_flows")
    elif not (button.flow_id.isdigit() and len(button.flow_id) <= 30):
        found.add(f"{where}.flow_id", "digits only, at most 30")
    if button.flow_action is None and submit:
        found.add(f"{where}.flow_action", "required to submit: NAVIGATE or DATA_EXCHANGE")
    if button.flow_action == "NAVIGATE" and not button.navigate_screen and submit:
        found.add(f"{where}.navigate_screen", "required for NAVIGATE: a screen id from list_whatsapp_flow_screens")
    if button.navigate_screen and len(button.navigate_screen) > 432:
        found.add(f"{where}.navigate_screen", "at most 432 characters")


def carousel_rules(found: Problems, where: str, cards: Sequence[Any], submit: bool) -> None:
    """2..10 cards, each an IMAGE or VIDEO header, an optional short body, 1..2 buttons, all alike."""
    low, high = CARDS
    if len(cards) > high or (submit and len(cards) < low):
        found.add(f"{where}.cards", f"{low}..{high} cards")
    shapes = [_shape(card) for card in cards]
    for index, card in enumerate(cards):
        at = f"{where}.cards[{index}]"
        if shapes[index] != shapes[0]:
            found.add(f"{at}.components", "every card needs the same components and buttons as cards[0]")
        kinds = [component.type for component in card.components]
        if "HEADER" not in kinds and submit:
            found.add(f"{at}.components", "a card needs an IMAGE or VIDEO HEADER")
        if "BUTTONS" not in kinds and submit:
            found.add(f"{at}.components", "a card needs 1 or 2 buttons")
        for position, component in enumerate(card.components):
            place = f"{at}.components[{position}]"
            if kinds.index(component.type) != position:
                found.add(f"{place}.type", "one of each type per card")
            elif component.type == "HEADER":
                header_rules(found, place, component, submit, card=True)
            elif component.type == "BODY":
                body_rules(found, place, component, "MARKETING", submit, limit=LIMITS["card_body"])
            else:
                button_rules(found, place, component.buttons, "MARKETING", submit, card=True)


def _shape(card: Any) -> list[Any]:
    return [(c.type, [b.type for b in c.buttons] if c.type == "BUTTONS" else None) for c in card.components]


def _is_url(value: str | None) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(ch.isspace() for ch in value or "")
