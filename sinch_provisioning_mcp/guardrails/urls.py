"""First-party URL allowlist: the one rule every outbound request and configured URL passes.

The server only ever talks to Sinch. It never fetches a URL that came from user input, an
API response or a webhook payload; this guard makes that a property of the HTTP layer
rather than a habit of each tool.
"""

from __future__ import annotations

import ipaddress

import httpx2

from sinch_provisioning_mcp.api.errors import UrlNotAllowedError

ALLOWED_HOSTS = frozenset(
    {"provisioning.api.sinch.com", "auth.sinch.com", "developers.sinch.com", "dashboard.sinch.com"}
)
ALLOWED_HOST_SUFFIX = ".api.sinch.com"
LOOPBACK_NAMES = frozenset({"localhost"})

# Where results point a person for documentation; the server itself fetches none of them.
DOCS_URL = "https://developers.sinch.com/docs/provisioning-api"


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str | httpx2.URL, *, allow_loopback: bool = False, extra_origins: frozenset[str] = frozenset()) -> None:
    """Raise `UrlNotAllowedError` unless `url` is https on a first-party Sinch host.

    Plain-http loopback passes only with `allow_loopback` (a standalone sandbox, tests);
    `extra_origins` admits the in-process sandbox's own never-resolvable origin.
    """
    text = str(url)
    # The one printable whitespace is the space: every other is a separator or a control.
    if not text.isprintable() or " " in text:
        # A tab or control character is never part of a URL; httpx2 would refuse it anyway, with an exception.
        raise UrlNotAllowedError("URL contains whitespace or control characters; refused")
    try:
        parsed = url if isinstance(url, httpx2.URL) else httpx2.URL(text)
    except httpx2.InvalidURL:
        raise UrlNotAllowedError("URL is not a valid URL; refused") from None
    host = (parsed.host or "").lower()
    origin = f"{parsed.scheme}://{host}" + (f":{parsed.port}" if parsed.port else "")
    if parsed.userinfo:
        raise UrlNotAllowedError(f"URL {origin} carries credentials in it; refused")
    if origin in extra_origins:
        return
    if allow_loopback and is_loopback(host) and parsed.scheme in ("http", "https"):
        return
    if parsed.scheme != "https":
        raise UrlNotAllowedError(
            f"URL {origin} is not https; only https Sinch hosts are allowed"
            + ("" if allow_loopback else " (plain-http loopback needs SINCH_ALLOW_LOOPBACK=1)")
        )
    if host in ALLOWED_HOSTS or host.endswith(ALLOWED_HOST_SUFFIX):
        return
    raise UrlNotAllowedError(
        f"host {host or '(none)'} is not a first-party Sinch host "
        f"(allowed: {', '.join(sorted(ALLOWED_HOSTS))}, *{ALLOWED_HOST_SUFFIX})"
    )


class GuardedTransport(httpx2.AsyncBaseTransport):
    """Checks every request, redirect hops included, before any byte leaves the process."""

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        *,
        allow_loopback: bool = False,
        extra_origins: frozenset[str] = frozenset(),
    ) -> None:
        self._inner = inner
        self._allow_loopback = allow_loopback
        self._extra_origins = extra_origins
        # Origins that passed: the verdict depends on nothing else but user-info, which is
        # checked on every request, so a client's requests to its one or two origins cost a
        # lookup rather than a parse.
        self._passed: set[tuple[str, str, int | None]] = set()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port)
        if url.userinfo or origin not in self._passed:
            check_url(url, allow_loopback=self._allow_loopback, extra_origins=self._extra_origins)
            self._passed.add(origin)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
