"""Request bodies checked with the real API's rules and wording.

The Provisioning API validates bodies with class-validator and lists its messages in
`additionalInformation.validationErrors` ("target must be a URL address", "comment must
be longer than or equal to 1 characters", OAS 1.2.117 examples). A family declares its
fields as data (`Rule`: type, required, lengths, enum, format, items) and `validate()`
reports every problem at once, in class-validator's sentences, each starting with the
field name. Lengths count UTF-16 code units, as the API's JavaScript runtime does.

Choices where the docs are silent:
- Unknown fields are refused ("property x should not exist", class-validator's whitelist
  wording): a misspelt field silently ignored is the bug a sandbox exists to catch.
- A value of the wrong type is reported by its type (plus the format, which
  class-validator checks on any value), not by the length rules that cannot apply to it.
- A body not sent as `application/json` is 400 `invalid_payload`. The OAS lists
  `invalid_payload` (and never 415) for every body-taking operation, and it is the
  code for a body the API could not read as its JSON DTO; a client sending a form or
  text gets the same answer as for broken JSON.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.requests import Request

from .errors import invalid_input, invalid_payload

Type = Literal["string", "array", "integer", "number", "boolean", "object"]
Format = Literal["url", "email", "e164"]


async def read_json_object(request: Request) -> dict[str, Any]:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise invalid_payload()
    try:
        body = json.loads(await request.body())
    except ValueError:  # also covers UnicodeDecodeError
        raise invalid_payload() from None
    if not isinstance(body, dict):
        raise invalid_payload()
    return body


@dataclass(frozen=True)
class Rule:
    """One body field. `enum`, `format` and `pattern` apply to a string, or to each item of
    an array. `fields` describe a nested object (type "object"), or each object item of an
    array; their problems are reported under the parent's path (`details.displayName ...`,
    `cards.0.components ...`), as NestJS prefixes nested class-validator messages."""

    name: str
    type: Type = "string"
    required: bool = True
    not_empty: bool = False  # "should not be empty" (IsNotEmpty / ArrayNotEmpty)
    min_length: int | None = None
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    format: Format | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None  # a full match, e.g. r"[a-z0-9_]+"
    fields: tuple[Rule, ...] | None = None


def validate(body: dict[str, Any], rules: Sequence[Rule], *, partial: bool = False) -> dict[str, Any]:
    """The declared fields `body` sets, or 400 `invalid_input` listing every problem.

    `partial` (PATCH): fields left out are fine; the ones sent are checked in full.
    """
    problems = check(body, rules, partial=partial)
    if problems:
        raise invalid_input(problems)
    return {rule.name: body[rule.name] for rule in rules if rule.name in body}


def check(body: dict[str, Any], rules: Sequence[Rule], *, partial: bool = False) -> list[str]:
    """Every problem of `body` against `rules`, unknown fields first (what `validate` raises)."""
    known = {rule.name for rule in rules}
    problems = [f"property {name} should not exist" for name in body if name not in known]
    for rule in rules:
        if rule.name in body or (rule.required and not partial):
            if body.get(rule.name) is None and not rule.required:
                continue  # IsOptional: null counts as left out
            problems += _problems(rule, body.get(rule.name))
    return problems


def nested(prefix: str, problems: list[str]) -> list[str]:
    """Problems of a nested object, as NestJS reports them: under their parent's path."""
    return [f"{prefix}.{problem}" for problem in problems]


_TYPE_MESSAGES = {
    "string": "must be a string",
    "array": "must be an array",
    "integer": "must be an integer number",
    "number": "must be a number conforming to the specified constraints",
    "boolean": "must be a boolean value",
    "object": "must be either object or array",
}
_FORMAT_MESSAGES = {"url": "must be a URL address", "email": "must be an email", "e164": "must be a valid phone number"}


def _has_type(value: Any, type_: Type) -> bool:
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "array":
        return isinstance(value, list)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "object":
        return isinstance(value, dict)
    if isinstance(value, bool):  # a JSON true is not a number
        return False
    return isinstance(value, int) if type_ == "integer" else isinstance(value, int | float)


def _problems(rule: Rule, value: Any) -> list[str]:
    name = rule.name
    if not _has_type(value, rule.type):
        # ValidateNested's wording names the property as "nested property <name>".
        problems = [f"{'nested property ' if rule.type == 'object' else ''}{name} {_TYPE_MESSAGES[rule.type]}"]
        if rule.type == "string" and rule.format:
            problems.append(f"{name} {_FORMAT_MESSAGES[rule.format]}")
        return problems
    if rule.type == "string":
        return _string_problems(rule, value)
    if rule.type == "array":
        return _array_problems(rule, value)
    if rule.type == "object":
        return nested(name, check(value, rule.fields or ()))
    if rule.type in ("integer", "number"):
        problems = []
        if rule.minimum is not None and value < rule.minimum:
            problems.append(f"{name} must not be less than {_number(rule.minimum)}")
        if rule.maximum is not None and value > rule.maximum:
            problems.append(f"{name} must not be greater than {_number(rule.maximum)}")
        return problems
    return []


def _number(value: float) -> str:
    """As JavaScript prints it: 1, not 1.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _string_problems(rule: Rule, value: str) -> list[str]:
    name, length = rule.name, utf16_length(value)
    problems = []
    if rule.not_empty and not value:
        problems.append(f"{name} should not be empty")
    if rule.min_length is not None and length < rule.min_length:
        problems.append(f"{name} must be longer than or equal to {rule.min_length} characters")
    if rule.max_length is not None and length > rule.max_length:
        problems.append(f"{name} must be shorter than or equal to {rule.max_length} characters")
    if rule.enum is not None and value not in rule.enum:
        problems.append(f"{name} must be one of the following values: {', '.join(rule.enum)}")
    if rule.format and not _FORMAT_CHECKS[rule.format](value):
        problems.append(f"{name} {_FORMAT_MESSAGES[rule.format]}")
    if rule.pattern is not None and not re.fullmatch(rule.pattern, value):
        problems.append(f"{name} must match /^{rule.pattern}$/ regular expression")
    return problems


def _array_problems(rule: Rule, items: list[Any]) -> list[str]:
    name = rule.name
    problems = []
    if rule.not_empty and not items:
        problems.append(f"{name} should not be empty")
    if rule.min_items is not None and len(items) < rule.min_items:
        problems.append(f"{name} must contain at least {rule.min_items} elements")
    if rule.max_items is not None and len(items) > rule.max_items:
        problems.append(f"{name} must contain no more than {rule.max_items} elements")
    if rule.enum is not None and any(item not in rule.enum for item in items):
        problems.append(f"each value in {name} must be one of the following values: {', '.join(rule.enum)}")
    if rule.format and not all(isinstance(item, str) and _FORMAT_CHECKS[rule.format](item) for item in items):
        problems.append(f"each value in {name} {_FORMAT_MESSAGES[rule.format]}")
    if rule.unique_items and len({json.dumps(item, sort_keys=True) for item in items}) != len(items):
        problems.append(f"All {name}'s elements must be unique")
    if rule.pattern is not None and not all(isinstance(item, str) and re.fullmatch(rule.pattern, item) for item in items):
        problems.append(f"each value in {name} must match /^{rule.pattern}$/ regular expression")
    if rule.fields is not None:
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(f"nested property {name}.{index} must be either object or array")
            else:
                problems += nested(f"{name}.{index}", check(item, rule.fields))
    return problems


# validator.js isFQDN (class-validator's IsUrl/IsEmail) with its defaults: at least two
# labels, a top-level domain of letters (or punycode), labels of letters, digits and
# inner hyphens, at most 63 characters each, no underscore.
_TLD = re.compile(r"([a-z\u00a1-\uffff]{2,}|xn[a-z0-9-]{2,})", re.IGNORECASE)
_LABEL = re.compile(r"[a-z\u00a1-\uffff0-9-]{1,63}", re.IGNORECASE)


def _is_fqdn(host: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) >= 2
        and _TLD.fullmatch(labels[-1]) is not None
        and all(_LABEL.fullmatch(label) and not label.startswith("-") and not label.endswith("-") for label in labels)
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_url(value: str) -> bool:
    """An absolute http(s) URL whose host has a top-level domain or is an IP address.

    validator.js `isURL` with `require_tld` (its default): `http://localhost:3000/cb` is
    refused and `http://127.0.0.1:3000/cb` is not. Only http and https are accepted: a
    webhook is delivered over HTTP, whatever else isURL would let through.
    """
    if any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError when the port is not a number in 0..65535
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme in ("http", "https")
        and port != 0
        and (_is_ip(host) or _is_fqdn(host))
    )


_EMAIL_LOCAL_PART = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}")


def _is_email(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at) and _EMAIL_LOCAL_PART.fullmatch(local) is not None and _is_fqdn(domain)


_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_FORMAT_CHECKS = {"url": is_url, "email": _is_email, "e164": lambda value: _E164.fullmatch(value) is not None}


def utf16_length(value: str) -> int:
    """String length as the API's JavaScript runtime counts it (UTF-16 code units)."""
    return len(value.encode("utf-16-le")) // 2
