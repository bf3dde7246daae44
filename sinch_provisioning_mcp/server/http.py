"""Streamable HTTP at /mcp, fit to be exposed behind a reverse proxy.

What each layer is for (the README's "Serving over HTTP" says how to run it):
- DNS rebinding: the SDK's Host/Origin check with an explicit policy for every bind
  address (the SDK switches its own default on only for exactly 127.0.0.1, localhost and
  ::1): Host must name this server, Origin, when a browser sends one, an allowed origin.
- Who may call: with SINCH_MCP_API_KEYS, every request to /mcp needs
  `Authorization: Bearer <key>`, checked in constant time against each key (several, for
  rotation), and a session answers only to the key that opened it. A non-loopback bind
  refuses to start without keys.
- Exhaustion: a request body limit (413), a session limit and a connection limit (503),
  a deadline for request headers (a client trickling bytes cannot hold a connection),
  a bound on header size and a keep-alive timeout.
- Operations: /healthz (the process serves) and /readyz (configured for the API, the
  client open and, in hosted mode, Redis answering), both without authentication and
  revealing nothing else; on SIGTERM or SIGINT the listener closes and calls in flight
  finish (up to SINCH_MCP_HTTP_SHUTDOWN_SECONDS).
- Replicas (SINCH_MCP_REDIS_URL): stateless, so any replica serves any request without
  session affinity; what they must share lives in Redis (state/redis.py).
- Provisioning events: with SINCH_MCP_EVENTS_SECRET, POST /events receives Sinch's
  deliveries (server/receiver.py), authenticated by their signature rather than by the API
  keys, which Sinch cannot send.
- Cost per call (benchmarks/): JSON responses instead of event streams, stateless mode and
  uvicorn's access line are options (SINCH_MCP_HTTP_*). However many sessions, the server's
  lifespan, and with it the API client and its OAuth token, is entered once: the SDK's session
  manager enters it for its own lifetime and hands it to every session and stateless request.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import h11
import uvicorn
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from sinch_provisioning_mcp.api.events import Receiver
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.guardrails.urls import is_loopback
from sinch_provisioning_mcp.server.app import deliveries
from sinch_provisioning_mcp.server.config import ConfigError, Settings
from sinch_provisioning_mcp.server.receiver import EVENTS_PATH, receiver_route
from sinch_provisioning_mcp.state.backend import StateBackend

if TYPE_CHECKING:
    from sinch_provisioning_mcp.sandbox import SandboxState

MCP_PATH = "/mcp"
LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
KEEP_ALIVE_SECONDS = 5
# Request line plus headers; an MCP request needs a few hundred bytes of them.
MAX_HEADER_BYTES = 16 * 1024
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _authority(host: str, port: int) -> str:
    """`host:port` as a client writes it in the Host header: names lowercased, IPv6 compressed in brackets."""
    address = _address(host)
    if address is None:
        return f"{host.lower()}:{port}"
    return f"[{address.compressed}]:{port}" if address.version == 6 else f"{address}:{port}"


def _listens_everywhere(host: str) -> bool:
    address = _address(host)
    return address is not None and address.is_unspecified


def check_exposure(settings: Settings, host: str) -> None:
    """Refuse (ConfigError) a bind this transport cannot protect."""
    if not is_loopback(host) and not settings.api_keys:
        raise ConfigError(
            f"configuration error: --host {host} is not a loopback address: set SINCH_MCP_API_KEYS "
            "(comma-separated keys; clients send Authorization: Bearer <key>) to serve beyond loopback"
        )
    if _listens_everywhere(host) and not settings.allowed_hosts:
        raise ConfigError(
            f"configuration error: --host {host} listens on every address: set SINCH_MCP_ALLOWED_HOSTS to the "
            "host names clients (or your reverse proxy) send in the Host header"
        )


def transport_security(settings: Settings, host: str, port: int) -> TransportSecuritySettings:
    """The Host and Origin values this server answers, for any bind address."""
    hosts = list(settings.allowed_hosts)
    origins = list(settings.allowed_origins)
    if not _listens_everywhere(host):
        hosts.append(_authority(host, port))
    if is_loopback(host):
        # Local clients reach a loopback server under any loopback name; a web page can
        # only do so under a name its own site controls, which is never one of these.
        hosts += [f"{name}:{port}" for name in _LOOPBACK_NAMES]
        origins += [f"http://{name}:*" for name in _LOOPBACK_NAMES]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(dict.fromkeys(hosts)),
        allowed_origins=list(dict.fromkeys(origins)),
    )


class ApiKeys:
    """A token verifier for static API keys: each presented key is compared with every
    configured one in constant time (as SHA-256 digests, so lengths do not show either)."""

    def __init__(self, keys: list[SecretStr]) -> None:
        self._digests = [hashlib.sha256(key.get_secret_value().encode()).digest() for key in keys]

    async def verify_token(self, token: str) -> AccessToken | None:
        presented = hashlib.sha256(token.encode()).digest()
        matched = [number for number, digest in enumerate(self._digests, 1) if hmac.compare_digest(presented, digest)]
        if not matched:
            return None
        # The key's position names the caller: the SDK binds each session to it.
        return AccessToken(token="[api key]", client_id=f"api-key-{matched[0]}", scopes=[])


def _require_key(app: ASGIApp, keys: list[SecretStr]) -> ASGIApp:
    return AuthenticationMiddleware(RequireAuthMiddleware(app, required_scopes=[]), backend=BearerAuthBackend(ApiKeys(keys)))


def event_receiver(settings: Settings, host: str, port: int, state: StateBackend) -> Receiver | None:
    """The event endpoint this server runs, when SINCH_MCP_EVENTS_SECRET is set: where Sinch must post
    (SINCH_MCP_PUBLIC_URL, or this address for a sandbox on the same machine), and where what it receives
    is kept (`state`: this process, or Redis shared by the replicas)."""
    if not settings.events_secret:
        return None
    for secret in settings.events_secret:
        REDACTOR.register_credential(secret.get_secret_value())
    base = settings.public_url or f"http://{_authority(host, port)}"
    return Receiver(
        state.event_log(_project(settings)),
        base.rstrip("/") + EVENTS_PATH,
        settings.events_secret[0].get_secret_value(),
        state.nonces(),
    )


def _project(settings: Settings) -> str:
    if settings.project_id or not settings.sandbox:
        return settings.project_id or "unconfigured"
    from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID

    return SANDBOX_PROJECT_ID


def build_app(
    server: MCPServer,
    settings: Settings,
    host: str,
    port: int,
    *,
    receiver: Receiver | None = None,
    sandbox: SandboxState | None = None,
    state: StateBackend | None = None,
) -> Starlette:
    mcp = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        json_response=settings.http_json_response,
        stateless_http=settings.stateless_http,
        max_request_body_size=settings.http_max_body_bytes,
        max_sessions=settings.http_max_sessions,
        transport_security=transport_security(settings, host, port),
        host=host,
    )
    unready = ["not configured for the Sinch API"] if not settings.sandbox and settings.missing_credentials() else []
    serving = False

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        nonlocal serving
        # Mounted apps' lifespans do not run on their own: this one opens the API client
        # and the session manager, and closes them after the last call has drained.
        async with mcp.router.lifespan_context(mcp), deliveries(sandbox):
            serving = True
            try:
                yield
            finally:
                serving = False

    async def liveness(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readiness(_: Request) -> JSONResponse:
        reasons = unready + ([] if serving else ["starting or shutting down"])
        reasons += await state.problems() if state is not None else []
        if reasons:
            return JSONResponse({"status": "not ready", "reasons": reasons}, status_code=503)
        return JSONResponse({"status": "ready"})

    events = [] if receiver is None else [
        receiver_route(receiver, tuple(secret.get_secret_value() for secret in settings.events_secret))
    ]
    return Starlette(
        routes=[
            Route(LIVENESS_PATH, liveness, methods=["GET"]),
            Route(READINESS_PATH, readiness, methods=["GET"]),
            *events,
            Mount("/", app=_require_key(mcp, settings.api_keys) if settings.api_keys else mcp),
        ],
        lifespan=lifespan,
    )


class HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's headers.

    uvicorn closes a keep-alive connection that stays idle, but waits without limit for a
    request whose headers never finish, so a client trickling bytes (slowloris) holds a
    connection per socket. Here the headers of each request must be complete within
    `deadline` seconds of the connection opening or of the previous response, or the
    connection is closed.
    """

    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # headers complete (or the request refused)
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self._deadline, self._expire)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expire(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def serve_http(
    server: MCPServer,
    settings: Settings,
    host: str,
    port: int,
    *,
    receiver: Receiver | None = None,
    sandbox: SandboxState | None = None,
    state: StateBackend | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then drain. `check_exposure` must have passed."""
    for key in settings.api_keys:
        REDACTOR.register_credential(key.get_secret_value())
    config = uvicorn.Config(
        build_app(server, settings, host, port, receiver=receiver, sandbox=sandbox, state=state),
        host=host,
        port=port,
        http=functools.partial(HeaderDeadline, deadline=settings.http_header_timeout_seconds),
        ws="none",
        lifespan="on",
        log_config=None,  # our stderr handler, redacted, receives uvicorn's records too
        log_level=settings.log_level.lower(),
        access_log=settings.http_access_log,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=settings.http_max_connections,
        timeout_graceful_shutdown=settings.http_shutdown_seconds,
    )
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        # uvicorn re-raises the SIGINT it drained on; the shutdown is already complete.
        pass
