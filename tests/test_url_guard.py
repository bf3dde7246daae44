"""First-party URL allowlist: `check_url` and the `GuardedTransport` every request passes.

A refused URL must raise `UrlNotAllowedError` before the inner transport sees the
request, so credentials (Basic key, bearer token, body) never leave the process.
"""

from __future__ import annotations

import base64

import httpx2
import pytest

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.connect import open_client
from sinch_provisioning_mcp.api.errors import UrlNotAllowedError
from sinch_provisioning_mcp.guardrails.urls import GuardedTransport, check_url
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID, create_app

KEY_ID = "guard-key-id"
KEY_SECRET = "guard-key-secret-do-not-leak"
BASIC = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()

ALLOWED = [
    "https://provisioning.api.sinch.com/v1/projects/p/webhooks",
    "https://auth.sinch.com/oauth2/token",
    "https://developers.sinch.com/docs/provisioning-api",
    "https://dashboard.sinch.com/",
    "https://eu.api.sinch.com/x",
    "https://us.provisioning.api.sinch.com/x",
    "https://PROVISIONING.API.SINCH.COM/v1",
    "https://provisioning.api.sinch.com:443/v1",
]

REFUSED = [
    # not https
    "http://provisioning.api.sinch.com/v1",
    "http://auth.sinch.com/oauth2/token",
    "ftp://provisioning.api.sinch.com/x",
    "ws://provisioning.api.sinch.com/x",
    # other hosts and lookalikes
    "https://provisioning.api.sinch.com.evil.com/v1",
    "https://auth.sinch.com.evil.com/oauth2/token",
    "https://evilsinch.com/",
    "https://evil.com/provisioning.api.sinch.com",
    "https://evil.com/?next=.api.sinch.com",
    "https://evil-api.sinch.com.attacker.net/",
    "https://sinch.com/",
    "https://example.com/",
    "https://provisioning.api.sinch.co/v1",
    "https://provisioning-api-sinch.com/v1",
    "https://myapi.sinch.com/v1",  # ends in "api.sinch.com" but is not under ".api.sinch.com"
    # userinfo
    "https://user:pass@provisioning.api.sinch.com/v1",
    "https://user@provisioning.api.sinch.com/v1",
    "https://provisioning.api.sinch.com@evil.com/v1",
    # loopback without permission
    "http://localhost:8080/v1",
    "http://127.0.0.1:8080/v1",
    "https://127.0.0.1/v1",
    "http://[::1]:8080/v1",
    "https://localhost/v1",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_first_party_hosts_pass(url):
    check_url(url)
    check_url(httpx2.URL(url))


@pytest.mark.parametrize("url", REFUSED)
def test_everything_else_is_refused(url):
    with pytest.raises(UrlNotAllowedError):
        check_url(url)


def test_userinfo_refusal_does_not_echo_the_password():
    with pytest.raises(UrlNotAllowedError) as info:
        check_url("https://someone:hunter2-secret@provisioning.api.sinch.com/v1")
    assert "hunter2-secret" not in str(info.value)
    assert "credentials" in str(info.value)


def test_http_refusal_mentions_the_loopback_switch_only_when_off():
    with pytest.raises(UrlNotAllowedError, match="SINCH_ALLOW_LOOPBACK"):
        check_url("http://localhost:8080")
    with pytest.raises(UrlNotAllowedError) as info:
        check_url("http://evil.com", allow_loopback=True)
    assert "SINCH_ALLOW_LOOPBACK" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8080/v1", "http://127.0.0.1:9000/v1", "http://[::1]:8080/v1", "https://localhost/v1"],
)
def test_loopback_passes_only_when_allowed(url):
    check_url(url, allow_loopback=True)
    with pytest.raises(UrlNotAllowedError):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.com/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://localhost.evil.com/",
        "http://user:pw@localhost:8080/",
        "ftp://localhost/",
        "https://provisioning.api.sinch.com.evil.com/",
    ],
)
def test_loopback_permission_admits_nothing_else(url):
    with pytest.raises(UrlNotAllowedError):
        check_url(url, allow_loopback=True)


def test_extra_origin_admits_exactly_that_origin():
    origins = frozenset({"http://sandbox.invalid"})
    check_url("http://sandbox.invalid/v1/projects/p/webhooks", extra_origins=origins)
    for url in ("http://sandbox.invalid.evil.com/", "https://sandbox.invalid/", "http://evil.com/sandbox.invalid"):
        with pytest.raises(UrlNotAllowedError):
            check_url(url, extra_origins=origins)
    with pytest.raises(UrlNotAllowedError):
        check_url("http://sandbox.invalid/")


# --------------------------------------------------------------------------- GuardedTransport


class Inner:
    def __init__(self, handler=None) -> None:
        self.seen: list[httpx2.Request] = []
        self.closed = False

        def default(request: httpx2.Request) -> httpx2.Response:
            return httpx2.Response(200, json={"ok": True})

        self._handler = handler or default
        outer = self

        class _Transport(httpx2.MockTransport):
            async def aclose(self) -> None:
                outer.closed = True

        def record(request: httpx2.Request) -> httpx2.Response:
            self.seen.append(request)
            return self._handler(request)

        self.transport = _Transport(record)


@pytest.mark.parametrize("url", REFUSED)
async def test_guarded_transport_refuses_before_the_inner_transport(url):
    inner = Inner()
    async with httpx2.AsyncClient(transport=GuardedTransport(inner.transport)) as http:
        with pytest.raises(UrlNotAllowedError):
            await http.post(url, headers={"Authorization": BASIC}, json={"secret": KEY_SECRET})
    assert inner.seen == []


@pytest.mark.parametrize("url", ALLOWED)
async def test_guarded_transport_forwards_allowed_requests(url):
    inner = Inner()
    async with httpx2.AsyncClient(transport=GuardedTransport(inner.transport)) as http:
        response = await http.get(url, headers={"Authorization": BASIC})
    assert response.json() == {"ok": True}
    assert len(inner.seen) == 1
    assert inner.seen[0].headers["Authorization"] == BASIC


async def test_guarded_transport_loopback_and_extra_origins():
    inner = Inner()
    guarded = GuardedTransport(inner.transport, allow_loopback=True, extra_origins=frozenset({"http://sandbox.invalid"}))
    async with httpx2.AsyncClient(transport=guarded) as http:
        await http.get("http://127.0.0.1:8080/v1")
        await http.get("http://sandbox.invalid/v1")
        with pytest.raises(UrlNotAllowedError):
            await http.get("http://evil.com/v1")
    assert [str(r.url) for r in inner.seen] == ["http://127.0.0.1:8080/v1", "http://sandbox.invalid/v1"]


async def test_guarded_transport_checks_every_redirect_hop():
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"Location": "https://evil.example.com/collect"})

    inner = Inner(handler)
    async with httpx2.AsyncClient(transport=GuardedTransport(inner.transport), follow_redirects=True) as http:
        with pytest.raises(UrlNotAllowedError):
            await http.get("https://provisioning.api.sinch.com/v1", headers={"Authorization": BASIC})
    assert [r.url.host for r in inner.seen] == ["provisioning.api.sinch.com"]


async def test_guarded_transport_closes_its_inner_transport():
    inner = Inner()
    async with httpx2.AsyncClient(transport=GuardedTransport(inner.transport)):
        pass
    assert inner.closed


# --------------------------------------------------------------------------- through open_client


@pytest.mark.parametrize("auth_mode", ["oauth", "basic"])
@pytest.mark.parametrize(
    "base_url",
    ["https://provisioning.api.sinch.com.evil.com", "http://provisioning.api.sinch.com", "https://evilsinch.com"],
)
async def test_open_client_sends_nothing_to_a_refused_base_url(base_url, auth_mode):
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"access_token": "guard-issued-token", "expires_in": 3600})

    inner = Inner(handler)
    async with open_client(
        base_url=base_url,
        auth_url="https://auth.sinch.com/oauth2/token",
        key_id=KEY_ID,
        key_secret=KEY_SECRET,
        auth_mode=auth_mode,
        transport=inner.transport,
    ) as client:
        with pytest.raises(UrlNotAllowedError):
            await client.call(ops.LIST_WEBHOOKS, "p")
    # In OAuth mode the token endpoint (allowed) may be asked; the API host never is.
    assert [r.url.host for r in inner.seen] == (["auth.sinch.com"] if auth_mode == "oauth" else [])


@pytest.mark.parametrize(
    "auth_url",
    ["https://auth.sinch.com.evil.com/oauth2/token", "http://auth.sinch.com/oauth2/token", "https://u:p@auth.sinch.com/t"],
)
async def test_open_client_never_sends_the_key_to_a_refused_token_url(auth_url):
    inner = Inner()
    async with open_client(
        base_url="https://provisioning.api.sinch.com",
        auth_url=auth_url,
        key_id=KEY_ID,
        key_secret=KEY_SECRET,
        transport=inner.transport,
    ) as client:
        with pytest.raises(UrlNotAllowedError):
            await client.call(ops.LIST_WEBHOOKS, "p")
    assert inner.seen == []


async def test_sandbox_origin_is_refused_unless_declared():
    async with open_client(
        base_url="http://sandbox.invalid",
        auth_url="http://sandbox.invalid/oauth2/token",
        key_id=SANDBOX_KEY_ID,
        key_secret=SANDBOX_KEY_SECRET,
        auth_mode="basic",
        transport=httpx2.ASGITransport(app=create_app()),
    ) as client:
        with pytest.raises(UrlNotAllowedError):
            await client.call(ops.LIST_WEBHOOKS, SANDBOX_PROJECT_ID)
