"""`sinch-provisioning-mcp doctor`: checks a configuration the way the server will use it.

Each check runs the server's own code, so the doctor cannot pass what the server would
refuse, or the reverse: `load_settings` (and with it the URL allowlist), `connect` (the
same client, authentication and guarded transport), one read-only API call,
`build_server` for the tools served and, in hosted mode, the readiness probe's Redis PING.
It prints one line per check to stdout, OK or FAIL with the exact fix, and exits 0 only
when nothing failed. Secret settings show as "set";
every line also passes through the redactor, as tool results do.
"""

from __future__ import annotations

import platform
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx2
from pydantic import SecretStr

from sinch_provisioning_mcp import __version__
from sinch_provisioning_mcp.api.errors import ApiError, AuthError, InvalidPathParameter, TransportError
from sinch_provisioning_mcp.api.operations import LIST_WEBHOOKS
from sinch_provisioning_mcp.clients import detect
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.guardrails.urls import is_loopback
from sinch_provisioning_mcp.server.app import SANDBOX_ORIGIN, Connection, build_server, connect
from sinch_provisioning_mcp.server.config import ConfigError, Settings, load_settings
from sinch_provisioning_mcp.server.logs import configure_logging
from sinch_provisioning_mcp.server.toolsets import select_tools
from sinch_provisioning_mcp.state.backend import state_backend

Status = Literal["OK", "FAIL", "WARN", "SKIP", "INFO"]

# Where each credential comes from, for its fix line.
_WHERE = {
    "SINCH_PROJECT_ID": "your project id (Sinch dashboard)",
    "SINCH_KEY_ID": "the key id of one of the project's access keys (Sinch dashboard, project access keys)",
    "SINCH_KEY_SECRET": "that access key's secret (shown once, when the key is created)",
}
_URL_FIELDS = frozenset({"provisioning_url", "auth_url"})
_INSTALL = "claude mcp add sinch-provisioning -- uvx sinch-provisioning-mcp (other clients: the README's 'Install in your client')"


@dataclass(frozen=True)
class Line:
    status: Status
    check: str
    detail: str
    fix: str = ""


def run_doctor(overrides: dict[str, Any], *, transport: httpx2.AsyncBaseTransport | None = None) -> int:
    """Print the checks for the environment plus `overrides` (the CLI flags); 0 when the server would work.

    `transport` replaces the network, as in `build_server`.
    """
    # The checks are the report: the client's per-call INFO lines would only repeat them.
    configure_logging("WARNING")
    lines = anyio.run(_diagnose, overrides, transport)
    print(f"sinch-provisioning-mcp {__version__} doctor, Python {platform.python_version()}")
    for line in lines:
        print(REDACTOR.text(f"{line.status:<5} {line.check:<18} {line.detail}"))
        if line.fix:
            print(REDACTOR.text(f"{'':<24} fix: {line.fix}"))
    failed = sum(line.status == "FAIL" for line in lines)
    if failed:
        print(f"{failed} problem(s): the server would not work as configured. Fix them, then run doctor again.")
        return 1
    print("The server would work as configured.")
    return 0


async def _diagnose(overrides: dict[str, Any], transport: httpx2.AsyncBaseTransport | None) -> list[Line]:
    lines: list[Line] = []
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        lines.append(_refused(exc))
        lines.append(Line("SKIP", "connection", "needs settings the server accepts"))
    else:
        lines += _variables(settings)
        lines += _urls(settings)
        lines += await _shared_state(settings)
        async with connect(settings, transport) as connection:
            lines += await _api(settings, connection)
        lines.append(await _tools(settings, transport))
    lines += _clients(Path.home(), Path.cwd())
    return lines


async def _shared_state(settings: Settings) -> list[Line]:
    """Hosted mode: whether Redis answers, as /readyz asks it."""
    if settings.redis_url is None:
        return []
    state = state_backend(settings)
    try:
        problems = await state.problems()
    finally:
        await state.aclose()
    if problems:
        fix = "start Redis, or correct SINCH_MCP_REDIS_URL (host, port, password, rediss:// for TLS)"
        return [Line("FAIL", "shared state", "Redis did not answer", fix)]
    return [Line("OK", "shared state", "Redis answers: replicas share confirmations, events and the OAuth token")]


def _refused(exc: ConfigError) -> Line:
    """The settings line for a configuration the server refuses to start with."""
    message = str(exc).removeprefix("configuration error: ")
    for name, field in Settings.model_fields.items():
        if field.alias and message.startswith(f"{field.alias}:"):
            if name in _URL_FIELDS:
                fix = f"unset {field.alias} to use {field.default}; a local sandbox also needs SINCH_ALLOW_LOOPBACK=1"
                return Line("FAIL", "URL allowlist", message, fix)
            default = f", or unset it (default {field.default})" if field.default is not None else ""
            fix = f"set {field.alias} as the message says{default}"
            return Line("FAIL", "settings", message, fix)
    return Line("FAIL", "settings", message, "see the README's configuration table")


def _variables(settings: Settings) -> list[Line]:
    fields = Settings.model_fields.items()
    given = [_shown(field.alias, getattr(settings, name)) for name, field in fields if name in settings.model_fields_set]
    shown = ("set (environment or flags): " + ", ".join(given)) if given else "none set: every setting at its default"
    lines = [Line("INFO", "variables", shown)]
    if settings.sandbox:
        return [*lines, Line("OK", "credentials", "not needed: the embedded sandbox has its own, and nothing real is read or changed")]
    missing = settings.missing_credentials()
    for variable in missing:
        fix = f"set {variable} to {_WHERE[variable]}, or run with --sandbox to try the simulator"
        lines.append(Line("FAIL", variable, "not set", fix))
    if not missing:
        lines.append(Line("OK", "credentials", f"complete (auth mode {settings.auth_mode}, project {settings.project_id})"))
    return lines


def _shown(variable: str | None, value: object) -> str:
    if isinstance(value, SecretStr):
        return f"{variable} (set, not shown)" if value.get_secret_value() else f"{variable} (empty)"
    if isinstance(value, list):
        value = ",".join(map(str, value))
    return f"{variable}={str(value).lower() if isinstance(value, bool) else value}"


def _urls(settings: Settings) -> list[Line]:
    if settings.sandbox:
        return [Line("OK", "URL allowlist", f"{SANDBOX_ORIGIN}: the sandbox runs in this process; no request leaves it")]
    # load_settings applied the allowlist already; say which rule admitted each URL.
    lines = []
    for variable, url in (("SINCH_PROVISIONING_URL", settings.provisioning_url), ("SINCH_AUTH_URL", settings.auth_url)):
        rule = "loopback, allowed by SINCH_ALLOW_LOOPBACK=1" if is_loopback(httpx2.URL(url).host) else "first-party Sinch host"
        lines.append(Line("OK", "URL allowlist", f"{variable} {url}: {rule}"))
    return lines


async def _api(settings: Settings, connection: Connection) -> list[Line]:
    if connection.client is None:
        return [Line("SKIP", "token", "needs the credentials above"), Line("SKIP", "project", "needs the credentials above")]
    try:
        await connection.client.authenticate()
    except AuthError as exc:
        fix = "set SINCH_KEY_ID and SINCH_KEY_SECRET to the pair of an active access key of the project (Sinch dashboard)"
        return [Line("FAIL", "token", str(exc), fix), Line("SKIP", "project", "needs a token")]
    except TransportError as exc:
        fix = f"check that this machine reaches {settings.auth_url} (network, proxy, firewall)"
        return [Line("FAIL", "token", str(exc), fix), Line("SKIP", "project", "needs a token")]
    return [Line("OK", "token", _token_detail(settings)), await _project(settings, connection)]


def _token_detail(settings: Settings) -> str:
    if settings.sandbox:
        return "issued by the embedded sandbox"
    if settings.auth_mode == "basic":
        return "none needed in auth mode basic: the key pair goes with each request (checked below)"
    if settings.access_token:
        return "SINCH_ACCESS_TOKEN is used as given until the API refuses it (checked below)"
    return f"issued by {settings.auth_url}"


async def _project(settings: Settings, connection: Connection) -> Line:
    assert connection.client is not None and connection.project_id is not None
    project = connection.project_id
    request = LIST_WEBHOOKS.key.replace("{projectId}", project)  # for the reader; the client renders the real path
    try:
        body = await connection.client.call(LIST_WEBHOOKS, project)
    except ApiError as exc:
        return Line("FAIL", "project", f"{request}: HTTP {exc.status} {exc.error_code}: {exc.message}", _api_fix(exc, project))
    except TransportError as exc:
        return Line("FAIL", "project", f"{request}: {exc}", f"check that this machine reaches {settings.provisioning_url}")
    except InvalidPathParameter as exc:
        return Line("FAIL", "project", f"{request}: {exc}", "correct SINCH_PROJECT_ID (Sinch dashboard)")
    count = len((body or {}).get("webhooks") or [])
    return Line("OK", "project", f"{request} answered: {count} webhook(s), read only")


def _api_fix(exc: ApiError, project: str) -> str:
    if exc.status == 401:
        return (
            f"the API refused these credentials for project {project}: "
            "use the key id and secret of an active access key of that project"
        )
    if exc.status == 403:
        return f"this access key may not use project {project}: use a key of that project, or correct SINCH_PROJECT_ID"
    if exc.status == 404:
        return f"no project {project} for these credentials: correct SINCH_PROJECT_ID (Sinch dashboard)"
    return exc.resolution or "run doctor again later; the API answered with an error"


async def _tools(settings: Settings, transport: httpx2.AsyncBaseTransport | None) -> Line:
    try:
        specs = select_tools(settings.toolsets, read_only=settings.read_only)
        served = await build_server(settings, transport=transport).list_tools()
    except ConfigError as exc:
        fix = "set SINCH_MCP_TOOLSETS (or --toolsets) to names from that list, or unset it for the default"
        return Line("FAIL", "tools", str(exc).removeprefix("configuration error: "), fix)
    toolsets = ", ".join(dict.fromkeys(spec.toolset for spec in specs)) or "none"
    access = ", read-only" if settings.read_only else ""
    operations = f" over {len(specs)} operations" if settings.mode == "compact" else ""
    return Line("OK", "tools", f"{settings.mode} mode{access}: {len(served)} tools{operations} from toolsets {toolsets}")


def _clients(home: Path, cwd: Path) -> list[Line]:
    lines = []
    findings = list(detect(home, cwd))
    for finding in findings:
        shown = _display(finding.path, home) + (", this project's entries" if finding.project else "")
        if finding.error:
            fix = f"repair {shown}: the client cannot read it either"
            lines.append(Line("WARN", finding.client, f"{shown} is {finding.error}", fix))
        elif not finding.entries:
            lines.append(Line("INFO", finding.client, f"{shown} has no entry for this server"))
        for name, entry in finding.entries.items():
            target = "the sandbox" if entry.sandbox else "your project"
            if entry.command is None:
                lines.append(Line("OK", finding.client, f"{shown}: {name!r} connects to {entry.line}"))
            elif shutil.which(entry.command) is None:
                fix = f"install it (uvx comes with uv: pip install uv) or give its full path in {shown}"
                lines.append(Line("WARN", finding.client, f"{shown}: {name!r} runs {entry.command!r}, not found on PATH", fix))
            else:
                lines.append(Line("OK", finding.client, f"{shown}: {name!r} runs {entry.line} on {target}"))
    if not any(finding.entries for finding in findings):
        lines.append(Line("WARN", "clients", "no MCP client here is set up to run this server", _INSTALL))
    return lines


def _display(path: Path, home: Path) -> str:
    try:
        return f"~/{path.relative_to(home).as_posix()}"
    except ValueError:
        return str(path)
