"""The list envelope every paginated Provisioning API endpoint shares.

`{totalSize, pageSize, <itemsKey>: [...], nextPageToken?, previousPageToken?}`, where
`pageSize` is the size requested (or the endpoint's default), not the number returned.
Page tokens are opaque to clients: an offset signed with the state's key and bound to
the list's path, so a forged token, or one taken from another list, is refused with
`invalid_page_token` as the real API refuses tokens it did not issue.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .context import state_of
from .errors import PapiError

_DIGITS = re.compile(r"[0-9]+")
_MAC_BYTES = 16


@dataclass(frozen=True)
class PageSizeRule:
    maximum: int
    default: int


def _invalid_page_size(message: str) -> PapiError:
    return PapiError(400, "invalid_page_size", message, "Use a integer value for pageSize parameter.")


def _invalid_page_token() -> PapiError:
    return PapiError(
        400,
        "invalid_page_token",
        "Invalid page token.",
        "The page token to use is provided in the previous query response, "
        "for new queries simply leave this field undefined.",
    )


def _mac(key: bytes, scope: str, offset: int) -> bytes:
    return hmac.new(key, f"{offset}|{scope}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def _encode_token(key: bytes, scope: str, offset: int) -> str:
    raw = offset.to_bytes(4, "big") + _mac(key, scope, offset)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(key: bytes, scope: str, token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise _invalid_page_token() from None
    offset = int.from_bytes(raw[:4], "big")
    if len(raw) != 4 + _MAC_BYTES or not hmac.compare_digest(raw[4:], _mac(key, scope, offset)):
        raise _invalid_page_token()
    return offset


@dataclass(frozen=True)
class Page:
    size: int
    offset: int
    scope: str
    key: bytes

    @classmethod
    def parse(cls, request: Request, rule: PageSizeRule) -> Page:
        """Read `pageSize`/`pageToken`; done before any lookup, as the API validates input first."""
        raw_size = request.query_params.get("pageSize")
        if raw_size is None:
            size = rule.default
        elif not _DIGITS.fullmatch(raw_size):
            raise _invalid_page_size("Page size must be numeric.")
        elif not 1 <= int(raw_size) <= rule.maximum:
            raise _invalid_page_size(f"Page size must be between 1 and {rule.maximum}.")
        else:
            size = int(raw_size)
        scope = request.url.path
        key = state_of(request).page_token_key
        token = request.query_params.get("pageToken")
        offset = _decode_token(key, scope, token) if token else 0
        return cls(size, offset, scope, key)

    def render(self, items: Sequence[Any], items_key: str, present: Callable[[Any], Any]) -> dict[str, Any]:
        """The envelope for this page of `items`; only the page's items go through `present`."""
        end = self.offset + self.size
        body: dict[str, Any] = {
            "totalSize": len(items),
            "pageSize": self.size,
            items_key: [present(item) for item in items[self.offset : end]],
        }
        if end < len(items):
            body["nextPageToken"] = _encode_token(self.key, self.scope, end)
        if self.offset > 0:
            body["previousPageToken"] = _encode_token(self.key, self.scope, max(0, self.offset - self.size))
        return body
