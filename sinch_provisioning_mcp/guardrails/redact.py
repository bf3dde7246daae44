"""Secret redaction: one bounded pass over every tool result, log record and error message.

Rules, applied together to every string:
- values under secret-bearing keys, at any depth, become a marker;
- known secrets are masked wherever they appear inside any string: the configured
  credentials and the latest OAuth tokens the client was issued, process-wide; and the
  secrets one tool call was given, only while that call runs (`scoped`), so a value
  someone passes as a secret never changes what anyone else sees;
- Authorization (Bearer and Basic anywhere) and Cookie header values, URL user-info,
  secret-named query parameters and JWT-shaped strings are masked wherever they appear.
A marker keeps at most the last 4 characters, so a person can still tell two apart.

Known secrets are matched as plain substrings (no pattern is compiled), their number is
bounded by construction, and values shorter than `MIN_KNOWN_SECRET` are never matched
inside text: they would mask ordinary words.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# Normalised (lowercase, no separators) key names. A key is secret-bearing when it
# contains one of _SECRET_PARTS (secretKey, clientSecret, passwords, credentials), ends
# with one of _SECRET_SUFFIXES (authToken, apiKeys, userPwd, setCookie) or is one of
# _SECRET_KEYS.
_SECRET_PARTS = ("secret", "password", "passwd", "credential")
_SECRET_SUFFIXES = ("token", "tokens", "apikey", "apikeys", "privatekey", "privatekeys", "pwd", "cookie", "cookies")
_SECRET_KEYS = frozenset({"authorization", "proxyauthorization", "bearer", "authenticationcode", "facebookcode"})
# Query parameters that carry a credential under a short name (OAuth codes, signed-URL signatures).
_SECRET_PARAMS = frozenset({"code", "sig", "signature"})
# Keys that end like secrets but hold none: pagination cursors and this server's own
# single-use confirmation token, which the agent must be able to send back.
_PUBLIC_KEYS = frozenset({"pagetoken", "nextpagetoken", "previouspagetoken", "confirmationtoken"})

_AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# A header line whose whole value is a credential, whatever its scheme ("Authorization: dXNlcjpw...").
_SECRET_HEADER = re.compile(r"(?im)\b((?:proxy-)?authorization\s*:\s*|(?:set-)?cookie\s*:\s*)[^\r\n]+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]+@")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
# `"key": value` (JSON or a Python repr, value quoted or a list) and `key=value` inside free text.
_QUOTED_PAIR = re.compile(r"""(["'])([A-Za-z0-9_-]+)\1(\s*:\s*)(\[[^\]]*\]|"[^"]*"|'[^']*')""")
_BARE_PAIR = re.compile(r"\b([A-Za-z0-9_-]+)=([^\s&,;]+)")

MIN_KNOWN_SECRET = 8  # shorter values would mask ordinary words ("sandbox", "ct1.")
# Process-wide known secrets, bounded: the configured credentials (a handful; the oldest
# goes if more are ever registered) and the OAuth tokens issued most recently (older
# ones were replaced, and the API refuses them).
MAX_CREDENTIALS = 16
MAX_ISSUED = 4

# The secrets the current tool call was given (see `Redactor.scoped`).
_CALL_SECRETS: ContextVar[tuple[str, ...]] = ContextVar("call_secrets", default=())


def _normalise(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


# A result repeats the same few keys; bounded, as the keys of an API's answer are not ours to choose.
@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    norm = _normalise(key)
    if norm in _PUBLIC_KEYS:
        return False
    return norm in _SECRET_KEYS or norm.endswith(_SECRET_SUFFIXES) or any(part in norm for part in _SECRET_PARTS)


@functools.lru_cache(maxsize=4096)
def _is_secret_param(name: str) -> bool:
    return is_secret_key(name) or _normalise(name) in _SECRET_PARAMS


def mask(value: str) -> str:
    """The marker for a secret: its last 4 characters only when it is long enough to spare them."""
    return f"[redacted …{value[-4:]}]" if len(value) >= 16 else "[redacted]"


def _mask_pair(m: re.Match[str]) -> str:
    if not is_secret_key(m.group(2)):
        return m.group(0)
    return f'{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}"[redacted]"'


def _mask_param(m: re.Match[str]) -> str:
    return f"{m.group(1)}=[redacted]" if _is_secret_param(m.group(1)) else m.group(0)


class Redactor:
    def __init__(self) -> None:
        self._credentials: dict[str, None] = {}  # insertion-ordered set
        self._issued: deque[str] = deque(maxlen=MAX_ISSUED)
        self._lock = threading.Lock()

    def register_credential(self, value: str | None) -> None:
        """A configured credential: masked in every string for as long as the process runs."""
        if value and len(value) >= MIN_KNOWN_SECRET:
            with self._lock:
                self._credentials.pop(value, None)
                self._credentials[value] = None
                while len(self._credentials) > MAX_CREDENTIALS:
                    del self._credentials[next(iter(self._credentials))]

    def register_secret(self, value: str | None) -> None:
        """A secret issued at run time (an OAuth token): masked in every string while among the latest few."""
        if value and len(value) >= MIN_KNOWN_SECRET:
            with self._lock:
                if value not in self._issued:
                    self._issued.append(value)

    @contextmanager
    def scoped(self, values: Iterable[str]) -> Iterator[None]:
        """Mask `values` too, but only in what is redacted inside this block (one tool call)."""
        token = _CALL_SECRETS.set(tuple(v for v in values if len(v) >= MIN_KNOWN_SECRET))
        try:
            yield
        finally:
            _CALL_SECRETS.reset(token)

    def _known(self) -> tuple[str, ...]:
        with self._lock:
            known = {*self._credentials, *self._issued, *_CALL_SECRETS.get()}
        # Longest first, so a secret that contains another is masked whole.
        return tuple(sorted(known, key=len, reverse=True))

    def text(self, value: str) -> str:
        return self._text(value, self._known())

    def data(self, value: Any) -> Any:
        """A copy of JSON-like data with every secret masked, JSON documents inside strings included."""
        return self._data(value, self._known())

    def _text(self, value: str, known: tuple[str, ...]) -> str:
        for secret in known:
            if secret in value:
                value = value.replace(secret, mask(secret))
        # Each pattern runs only on text holding what it cannot match without: most strings
        # of a result (ids, states, times, names) hold none of it, and a pass costs microseconds.
        folded = _fold(value)
        if "bearer" in folded or "basic" in folded:
            value = _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {mask(m.group(0).split()[-1])}", value)
            folded = _fold(value)
        if "authorization" in folded or "cookie" in folded:
            value = _SECRET_HEADER.sub(lambda m: f"{m.group(1)}[redacted]", value)
        if "@" in value:
            value = _USERINFO.sub(lambda m: f"{m.group(1)}[redacted]@", value)
        if "eyJ" in value:
            value = _JWT.sub(lambda m: mask(m.group(0)), value)
        if '"' in value or "'" in value:
            value = _QUOTED_PAIR.sub(_mask_pair, value)
        if "=" in value:
            value = _BARE_PAIR.sub(_mask_param, value)
        return value

    def _data(self, value: Any, known: tuple[str, ...]) -> Any:
        if isinstance(value, str):
            return self._string(value, known)
        if isinstance(value, Mapping):
            return {
                key: (_mask_value(item) if isinstance(key, str) and is_secret_key(key) else self._data(item, known))
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._data(item, known) for item in value]
        return value  # a number, a boolean, None

    def _string(self, value: str, known: tuple[str, ...]) -> str:
        # A JSON document inside a string (an error body, a payload): parse it so key-based
        # rules reach it too.
        if value.startswith(("{", "[")):
            try:
                return json.dumps(self._data(json.loads(value), known), indent=2, ensure_ascii=False)
            except (ValueError, RecursionError):  # not JSON, or nested too deep to walk: masked as text
                pass
        return self._text(value, known)


# The four characters beyond ASCII that `re`'s IGNORECASE reads as an ASCII letter.
_LETTERS_BEYOND_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(text: str) -> str:
    """`text` with its letters as an IGNORECASE pattern reads them: a lowercase ASCII word that
    is not in it cannot match there."""
    return text.lower() if text.isascii() else text.translate(_LETTERS_BEYOND_ASCII).lower()


def _mask_value(value: Any) -> Any:
    if value is None or value == "":
        return value
    return mask(value) if isinstance(value, str) else "[redacted]"


# One per process: every output path (results, logs, errors) consults the same secrets.
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
