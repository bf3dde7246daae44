"""Request-body checks with the real API's wording.

The Provisioning API validates bodies with class-validator and lists its messages in
`additionalInformation.validationErrors` ("target must be a URL address", "comment must
be longer than or equal to 1 characters", OAS 1.2.117 examples). Each message starts with
the field name and says what is allowed; the sandbox uses the same sentences.
Unknown fields are refused ("property x should not exist", class-validator's whitelist
wording): the docs do not say the real API does so, but a misspelt field silently
ignored is the bug a sandbox exists to catch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from .errors import invalid_input, invalid_payload


async def read_json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:  # also covers UnicodeDecodeError
        raise invalid_payload() from None
    if not isinstance(body, dict):
        raise invalid_payload()
    return body


def unknown_fields(body: dict[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    return [f"property {name} should not exist" for name in body if name not in allowed]


def raise_if_invalid(problems: list[str]) -> None:
    if problems:
        raise invalid_input(problems)


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host: the only targets a callback can be sent to."""
    if any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # raises ValueError when the port is not a number in 0..65535
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def utf16_length(value: str) -> int:
    """String length as the API's JavaScript runtime counts it (UTF-16 code units)."""
    return len(value.encode("utf-16-le")) // 2
