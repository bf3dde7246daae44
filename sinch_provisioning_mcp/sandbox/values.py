"""Identifier and timestamp formats shared by the sandbox families.

Ids are ULIDs (26 characters of Crockford base32, a 48-bit millisecond timestamp then
80 random bits). No Sinch page we found shows a real provisioning webhook id, but
Sinch's ids elsewhere are ULIDs: the Provisioning API's own webhook-delivery nonce
example (`01EAW2BNWCG9DC13RS582V0ZQ3`, OAS 1.2.117) and the Conversation API's app ids,
and the official Node SDK's provisioning mock server uses ULID-style webhook ids
(`01PROVWEBHOOK001`). ULIDs are case-insensitive by specification, so lookups
normalise to upper case.

RCS senders are the exception: the OAS 1.2.117 examples show their ids as lower-case
UUIDs (`cf11794a-6a5e-4a12-b103-da79bd378bf1`), and `senderId` has its own
`invalid_id_format`; UUIDs are case-insensitive too (RFC 9562), canonical in lower case.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The first character is at most 7: a 26-character ULID holds 130 bits, only 128 used.
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", re.IGNORECASE)


def new_ulid(now: float) -> str:
    value = (int(now * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_ulid(text: str) -> bool:
    return _ULID.fullmatch(text) is not None


@dataclass(frozen=True)
class IdFormat:
    """How a family's generated ids look: `new(now)` makes one, `parse(text)` gives the
    canonical form of a well-formed id, or None for a malformed one (400 invalid_id_format)."""

    new: Callable[[float], str]
    parse: Callable[[str], str | None]


ULID = IdFormat(new=new_ulid, parse=lambda text: text.upper() if is_ulid(text) else None)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# Random (version 4); the clock plays no part, as in a UUID4.
UUID = IdFormat(
    new=lambda now: str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)),
    parse=lambda text: text.lower() if _UUID.fullmatch(text) else None,
)


def iso8601(timestamp: float) -> str:
    """UTC with milliseconds and `Z`, the form the API's examples show (`2023-01-19T13:11:08.204Z`)."""
    # Whole milliseconds first, so float noise (x.204 stored as x.20399...) cannot shave one off.
    millis = round(timestamp * 1000)
    moment = datetime.fromtimestamp(millis // 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def hex_id(digits: int) -> IdFormat:
    """Ids of `digits` random hexadecimal digits, lower case, as the API shows SMS app ids
    (32: `439fffeedc41494ca58b99a534139bb0`) and bundle ids (24: `62a02dd40000000000000000`)
    in the OAS 1.2.117 examples; lookups accept either case."""
    if digits % 2:
        raise ValueError("hex ids are whole bytes: give an even number of digits")
    pattern = re.compile(f"[0-9a-f]{{{digits}}}", re.IGNORECASE)
    return IdFormat(
        new=lambda now: secrets.token_hex(digits // 2),
        parse=lambda text: text.lower() if pattern.fullmatch(text) else None,
    )
