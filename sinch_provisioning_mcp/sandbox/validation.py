"""Request bodies checked with the real API's rules and wording.

The Provisioning API validates bodies with class-validator and lists its messages in
`additionalInformation.validationErrors` ("target must be a URL address", "comment must
be longer than or equal to 1 characters", OAS 1.2.117 examples). A family declares its
fields as data (`Rule`: type, required, lengths, enum, format, items) and `validate()`
reports every problem at once, in class-validator's sentences, each starting with the
field name. Lengths count UTF-16 code units, as the API's JavaScript runtime does.

Nested objects (a rule with `fields`, for an object or for each object of an array) are
checked with their own rules, and their messages carry the path, as NestJS's validation
pipe prefixes a child's messages: "convApp.webhooks.0.target must be shorter than or
equal to 742 characters". A rule may accept several types (`type=("boolean", "object")`:
the bundle's `subproject: true` or `{name, labels}`), refused as "subproject must be
boolean or object" (OAS 1.2.117 bundles example). `find_problems()` gives the messages without
raising, for a family that adds rules across fields before answering.

Choices where the docs are silent:
- Unknown fields are refused ("property x should not exist", class-validator's whitelist
  wording): a misspelt field silently ignored is the bug a sandbox exists to catch.
- A value of the wrong type is reported by its type (plus the format, which
  class-validator checks on any value), not by the length rules that cannot apply to it.
- Nested objects (`type="object"`, or an array whose items are objects, with `fields`)
  are checked field by field, each problem prefixed with its path as NestJS flattens
  class-validator's nested errors ("details.buttons.0.name must be a string", the OAS
  1.2.117 example).
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
    """One body field. `enum`, `format` and `pattern` apply to a string, or to each item of an
    array; `fields` to an object, or to each item of an array (then each must be an object)."""

    name: str
    type: Type | tuple[Type, ...] = "string"  # a tuple: any one of these types
    required: bool = True
    not_empty: bool = False  # "should not be empty" (IsNotEmpty / ArrayNotEmpty)
    min_length: int | None = None
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    format: Format | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    unique_by: str | None = None  # array items unique by this key (ArrayUnique with a selector)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None  # a full match, e.g. r"[a-z0-9_]+"
    fields: tuple[Rule, ...] | None = None


def validate(body: dict[str, Any], rules: Sequence[Rule], *, partial: bool = False) -> dict[str, Any]:
    """The declared fields `body` sets, or 400 `invalid_input` listing every problem.

    `partial` (PATCH): fields left out are fine; the ones sent are checked in full.
    """
    found = find_problems(body, rules, partial=partial)
    if found:
        raise invalid_input(found)
    return {rule.name: body[rule.name] for rule in rules if rule.name in body}


def find_problems(body: dict[str, Any], rules: Sequence[Rule], *, partial: bool = False, path: str = "") -> list[str]:
    """Every problem of `body`, each message prefixed with `path` (a nested object's place)."""
    known = {rule.name for rule in rules}
    found = [f"{path}property {name} should not exist" for name in body if name not in known]
    for rule in rules:
        if rule.name in body or (rule.required and not partial):
            if body.get(rule.name) is None and not rule.required:
                continue  # IsOptional: null counts as left out
            value = body.get(rule.name)
            found += [path + problem for problem in _problems(rule, value)]
            found += _nested(rule, value, path)
    return found


def _types(rule: Rule) -> tuple[Type, ...]:
    return rule.type if isinstance(rule.type, tuple) else (rule.type,)


def _nested(rule: Rule, value: Any, path: str) -> list[str]:
    """The problems inside an object, or inside each object of an array, at their path."""
    if rule.fields is None:
        return []
    where = f"{path}{rule.name}."
    if "object" in _types(rule) and isinstance(value, dict):
        return find_problems(value, rule.fields, path=where)
    if "array" not in _types(rule) or not isinstance(value, list):
        return []
    found = []
    if not all(isinstance(item, dict) for item in value):
        found.append(f"{path}each value in nested property {rule.name} must be either object or array")
    for index, item in enumerate(value):
        if isinstance(item, dict):
            found += find_problems(item, rule.fields, path=f"{where}{index}.")
    return found


def nested(prefix: str, problems: list[str]) -> list[str]:
    """Problems found inside a nested value by a family's own checks, under the parent's path."""
    return [f"{prefix}.{problem}" for problem in problems]


_TYPE_MESSAGES = {
    "string": "must be a string",
    "array": "must be an array",
    "integer": "must be an integer number",
    "number": "must be a number conforming to the specified constraints",
    "boolean": "must be a boolean value",
    "object": "must be an object",
}
_FORMAT_MESSAGES = {"url": "must be a URL address", "email": "must be an email", "e164": "must be a valid phone number"}


def _has_type(value: Any, type_: Type) -> bool:
    if type_ == "object":
        return isinstance(value, dict)
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
    types = _types(rule)
    type_ = next((candidate for candidate in types if _has_type(value, candidate)), None)
    if type_ is None:
        if len(types) > 1:
            return [f"{name} must be {' or '.join(types)}"]
        if types == ("object",) and rule.fields is not None:
            # A nested DTO (ValidateNested) words it so; a free-form object (IsObject) as below.
            return [f"nested property {name} must be either object or array"]
        problems = [f"{name} {_TYPE_MESSAGES[types[0]]}"]
        if types[0] == "string" and rule.format:
            problems.append(f"{name} {_FORMAT_MESSAGES[rule.format]}")
        return problems
    if type_ == "string":
        return _string_problems(rule, value)
    if type_ == "array":
        return _array_problems(rule, value)
    if type_ in ("integer", "number"):
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
    keys = [item.get(rule.unique_by) if isinstance(item, dict) else item for item in items] if rule.unique_by else items
    if (rule.unique_items or rule.unique_by) and len({json.dumps(k, sort_keys=True) for k in keys}) != len(keys):
        problems.append(f"All {name}'s elements must be unique")
    if rule.pattern is not None and not all(isinstance(item, str) and re.fullmatch(rule.pattern, item) for item in items):
        problems.append(f"each value in {name} must match /^{rule.pattern}$/ regular expression")
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
