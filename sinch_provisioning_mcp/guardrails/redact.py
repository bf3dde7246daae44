"""Secret redaction: one pass applied to every tool result, log record and error message.

Three rules, applied together:
- values under secret-bearing keys, at any depth, become a marker;
- the configured credentials and every issued OAuth token are masked wherever they
  appear inside any string (registered with `register_secret`);
- Authorization header values and JWT-shaped strings are masked wherever they appear.
A marker keeps at most the last 4 characters, so a person can still tell two apart.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, SecretStr

# Normalised (lowercase, no separators) key names: any ending in a suffix (authToken,
# longLivedAccessToken, clientSecret, keySecret, apiKey...) plus the few that do not.
_SECRET_SUFFIXES = ("token", "secret", "password", "apikey", "privatekey")
_SECRET_KEYS = frozenset({"passwd", "authorization", "bearer", "authenticationcode", "facebookcode"})
# Keys that end like secrets but hold none: pagination cursors and this server's own
# single-use confirmation token, which the agent must be able to send back.
_PUBLIC_KEYS = frozenset({"pagetoken", "nextpagetoken", "previouspagetoken", "confirmationtoken"})

_AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
# `"key": value` (JSON or a Python repr, value quoted or a list) and `key=value` inside free text.
_QUOTED_PAIR = re.compile(r"""(["'])([A-Za-z0-9_-]+)\1(\s*:\s*)(\[[^\]]*\]|"[^"]*"|'[^']*')""")
_BARE_PAIR = re.compile(r"\b([A-Za-z0-9_-]+)=([^\s&,;]+)")
_MIN_KNOWN_SECRET = 4  # shorter values would mask ordinary words


def _normalise(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def is_secret_key(key: str) -> bool:
    norm = _normalise(key)
    if norm in _PUBLIC_KEYS:
        return False
    return norm in _SECRET_KEYS or norm.endswith(_SECRET_SUFFIXES)


def mask(value: str) -> str:
    """The marker for a secret: its last 4 characters only when it is long enough to spare them."""
    return f"[redacted …{value[-4:]}]" if len(value) >= 16 else "[redacted]"


def _mask_pair(m: re.Match[str]) -> str:
    if not is_secret_key(m.group(2)):
        return m.group(0)
    return f'{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}"[redacted]"'


class Redactor:
    def __init__(self) -> None:
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def register_secret(self, value: str | None) -> None:
        if not value or len(value) < _MIN_KNOWN_SECRET:
            return
        with self._lock:
            if value not in self._known:
                self._known.add(value)
                ordered = sorted(self._known, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def text(self, value: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            value = pattern.sub(lambda m: mask(m.group(0)), value)
        value = _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {mask(m.group(0).split()[-1])}", value)
        value = _JWT.sub(lambda m: mask(m.group(0)), value)
        value = _QUOTED_PAIR.sub(_mask_pair, value)
        return _BARE_PAIR.sub(lambda m: f"{m.group(1)}=[redacted]" if is_secret_key(m.group(1)) else m.group(0), value)

    def data(self, value: Any) -> Any:
        """A copy of JSON-like data with every secret masked, JSON documents inside strings included."""
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, Mapping):
            return {
                key: (self._mask_value(item) if isinstance(key, str) and is_secret_key(key) else self.data(item))
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value

    def _string(self, value: str) -> str:
        # A tool's text content is usually its structured result dumped as JSON: parse it so
        # key-based rules reach it too.
        if value[:1] in ("{", "["):
            try:
                parsed = json.loads(value)
            except ValueError:
                return self.text(value)
            return json.dumps(self.data(parsed), indent=2, ensure_ascii=False)
        return self.text(value)

    def _mask_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return mask(value) if isinstance(value, str) else "[redacted]"


# One per process: credentials are registered once at start-up and tokens as they are
# issued, and every output path (results, logs, errors) consults the same set.
REDACTOR = Redactor()


class RedactingFilter(logging.Filter):
    """Renders each record's message through the redactor before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = REDACTOR.text(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = REDACTOR.text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def _registered(value: SecretStr) -> SecretStr:
    REDACTOR.register_secret(value.get_secret_value())
    return value


# A secret the user hands to a tool (a webhook secret, a Meta access token): it goes to the
# API and is masked everywhere else from the moment it is validated.
SecretInput = Annotated[SecretStr, AfterValidator(_registered)]
