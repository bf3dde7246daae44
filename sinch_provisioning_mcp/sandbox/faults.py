"""Faults on demand: the failures a real network and a real API produce now and then.

A `Fault` targets one operation (method and path template, e.g. `GET
/v1/projects/{projectId}/webhooks`) or, with neither, every API operation under `/v1`;
the token endpoint only when named (`/oauth2/token`), so a global fault never hides
behind a token fetch, and never the `/_sandbox` controls, so faults can always be
cleared. It fires `count` times (None: until removed), each time with `probability`
(drawn from the state's seedable RNG, so a run can be replayed).

Kinds:
- `status`: 429, 500, 502, 503 or 504 with a PAPI error body, `Retry-After` if given;
- `delay`: the request waits `seconds` of real time (anyio.sleep) before it is handled:
  it must outlast a client's timeout, which simulated time cannot do;
- `drop`: the connection closes before the request is handled; `drop_after`: after it
  was handled (the change happened, the answer is lost). The response is started then
  abandoned: over uvicorn the socket closes mid-response, and in process an
  `httpx2.RemoteProtocolError` reaches the client through `httpx2.ASGITransport`, which
  passes application exceptions through as they are. Either way the client sees a
  transport error, never a status;
- `malformed_json`: a JSON content type over a truncated body (status 200 by default);
- `html`: a gateway's HTML error page (502 by default);
- `expire_token`: the request's bearer token expires now, so it gets the expiry challenge.

One ASGI middleware (`FaultMiddleware`) applies them, before authentication, as a
gateway in front of the API would. They are added from Python, over HTTP (`POST
/_sandbox/faults`) or, for the sandbox a server embeds, from `SINCH_SANDBOX_FAULTS`
(`parse_faults`), each in the same camelCase shape.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

import anyio
import httpx2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import bearer_token
from .validation import Rule, find_problems

Kind = Literal["status", "delay", "drop", "drop_after", "malformed_json", "html", "expire_token"]
KINDS: tuple[Kind, ...] = ("status", "delay", "drop", "drop_after", "malformed_json", "html", "expire_token")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# What a rate limiter or an overloaded backend answers, in the API's error shape.
# too_many_requests and internal_error are the catalog's; the gateway codes are ours.
STATUS_BODIES = {
    429: ("too_many_requests", "Too many requests.", "Wait before sending more requests."),
    500: ("internal_error", "Internal error.", "Try again later."),
    502: ("bad_gateway", "Bad gateway.", "Try again later."),
    503: ("service_unavailable", "Service unavailable.", "Try again later."),
    504: ("gateway_timeout", "Gateway timeout.", "Try again later."),
}
_DEFAULT_STATUS = {"status": 503, "html": 502, "malformed_json": 200}
_GLOBAL_SCOPE = "/v1/"
_CONTROLS = "/_sandbox"


class ConnectionDropped(httpx2.RemoteProtocolError):
    """Raised through the server so the client's transport sees a connection lost mid-answer."""

    def __init__(self) -> None:
        super().__init__("sandbox fault: connection dropped without a complete response")


def _template_pattern(template: str) -> re.Pattern[str]:
    literal_parts = re.split(r"\{[^/{}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in literal_parts))


@dataclass
class Fault:
    kind: Kind
    method: str | None = None
    path: str | None = None
    status: int | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    count: int | None = None
    probability: float = 1.0
    id: str = ""  # given by FaultInjector.add
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")
        if self.method is not None and self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        if self.status is None:
            self.status = _DEFAULT_STATUS.get(self.kind)
        if self.kind == "status" and self.status not in STATUS_BODIES:
            raise ValueError(f"status faults answer one of {sorted(STATUS_BODIES)}")
        if self.status is not None and self.status not in set(HTTPStatus):
            raise ValueError(f"{self.status} is not an HTTP status")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        if not 0 < self.probability <= 1:
            raise ValueError("probability must be in (0, 1]")
        if self.path is not None and not self.path.startswith("/"):
            raise ValueError("path must be a path template starting with /")
        if self.path is not None and self.path.startswith(_CONTROLS):
            raise ValueError("the /_sandbox controls cannot fail: they are how faults are cleared")
        self._pattern = _template_pattern(self.path) if self.path else None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and method != self.method:
            return False
        if self._pattern is None:
            return path.startswith(_GLOBAL_SCOPE)
        return self._pattern.fullmatch(path) is not None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "retryAfter": self.retry_after,
            "seconds": self.seconds,
            "count": self.count,
            "probability": self.probability,
        }


# A fault as the controls and SINCH_SANDBOX_FAULTS take it: {"kind": "status", "status": 503, "probability": 0.05}.
FAULT_RULES = (
    Rule("kind", enum=KINDS),
    Rule("method", required=False, enum=METHODS),
    Rule("path", required=False, not_empty=True),
    Rule("status", type="integer", required=False),
    Rule("retryAfter", type="integer", required=False, minimum=0),
    Rule("seconds", type="number", required=False, minimum=0),
    Rule("count", type="integer", required=False, minimum=1),
    Rule("probability", type="number", required=False, minimum=0, maximum=1),
)


def fault_from(fields: Mapping[str, Any]) -> Fault:
    """A fault from fields that meet `FAULT_RULES`; ValueError when they do not make one (a 200 `status`)."""
    return Fault(
        kind=fields["kind"],
        method=fields.get("method"),
        path=fields.get("path"),
        status=fields.get("status"),
        retry_after=fields.get("retryAfter"),
        seconds=fields.get("seconds", 0.0),
        count=fields.get("count"),
        probability=fields.get("probability", 1.0),
    )


def parse_faults(text: str) -> list[Fault]:
    """`SINCH_SANDBOX_FAULTS`: a JSON list of faults; ValueError says which one is wrong and why."""
    shape = 'must be a JSON list of faults, e.g. [{"kind": "status", "status": 503, "probability": 0.05}]'
    try:
        items = json.loads(text)
    except ValueError:
        raise ValueError(shape) from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError(shape)
    faults = []
    for number, item in enumerate(items, 1):
        problems = find_problems(item, FAULT_RULES)
        try:
            if problems:
                raise ValueError("; ".join(problems))
            faults.append(fault_from(item))
        except ValueError as exc:
            raise ValueError(f"fault {number}: {exc}") from None
    return faults


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        self._random = random.Random(seed)
        self._ids = itertools.count(1)

    @property
    def active(self) -> list[Fault]:
        return list(self._faults)

    def add(self, fault: Fault) -> Fault:
        fault.id = f"fault-{next(self._ids)}"
        self._faults.append(fault)
        return fault

    def remove(self, fault_id: str) -> bool:
        kept = [fault for fault in self._faults if fault.id != fault_id]
        removed = len(kept) != len(self._faults)
        self._faults = kept
        return removed

    def clear(self) -> None:
        self._faults.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        """The first fault that fires for this request, its count used once."""
        for fault in self._faults:
            if not fault.matches(method, path):
                continue
            if fault.probability < 1 and self._random.random() >= fault.probability:
                continue
            if fault.count is not None:
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
            return fault
        return None


# The page a reverse proxy (nginx here) serves when the service behind it fails.
_HTML_PAGE = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n</body>\r\n</html>\r\n"
)
_TRUNCATED_JSON = b'{"totalSize": 1, "pageSize": 15, "items": [{"id": "01H'

Apply = Callable[[Fault, ASGIApp, Scope, Receive, Send], Awaitable[None]]


async def _status(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    assert fault.status is not None
    code, message, resolution = STATUS_BODIES[fault.status]
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
    body = {"errorCode": code, "message": message, "resolution": resolution}
    await JSONResponse(body, status_code=fault.status, headers=headers)(scope, receive, send)


async def _delay(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    await anyio.sleep(fault.seconds)
    await app(scope, receive, send)


async def _abandon(send: Send) -> None:
    # Promise a body, then never send it: the connection ends mid-answer.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionDropped()


async def _drop(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    await _abandon(send)


async def _drop_after(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    async def discard(message: Message) -> None:
        return None

    await app(scope, receive, discard)
    await _abandon(send)


async def _malformed_json(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    assert fault.status is not None
    await Response(_TRUNCATED_JSON, status_code=fault.status, media_type="application/json")(scope, receive, send)


async def _html(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    assert fault.status is not None
    title = f"{fault.status} {HTTPStatus(fault.status).phrase}"
    await HTMLResponse(_HTML_PAGE.format(title), status_code=fault.status)(scope, receive, send)


async def _expire_token(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    token = bearer_token(Request(scope))
    if token:
        scope["app"].state.sandbox.tokens.expire(token)
    await app(scope, receive, send)


_APPLY: dict[Kind, Apply] = {
    "status": _status,
    "delay": _delay,
    "drop": _drop,
    "drop_after": _drop_after,
    "malformed_json": _malformed_json,
    "html": _html,
    "expire_token": _expire_token,
}


class FaultMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = None
        if scope["type"] == "http":
            fault = scope["app"].state.sandbox.faults.pick(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
        else:
            await _APPLY[fault.kind](fault, self.app, scope, receive, send)
