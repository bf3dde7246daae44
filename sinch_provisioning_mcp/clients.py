"""Which MCP clients on this machine are set up to run this server, read from their config files.

Only the files each client documents are read, and from them only the server entries: the
doctor reports a file, an entry name and its command line; of an entry's environment it
reads SINCH_MCP_SANDBOX alone, so no credential kept there is ever touched.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Every install snippet in the README names the server this; a client lists it under that key.
SERVER_KEY = "sinch-provisioning"
_MARKERS = ("sinch-provisioning-mcp", "sinch_provisioning_mcp")


@dataclass(frozen=True)
class Source:
    """One place a client keeps server entries: a file, and where in it."""

    client: str
    path: Path
    servers_key: str  # "mcpServers" for most clients, "servers" for VS Code
    project: str | None = None  # Claude Code keeps per-project entries in ~/.claude.json


@dataclass(frozen=True)
class Entry:
    """A server entry that runs this server."""

    command: str | None  # None for an HTTP entry
    line: str  # the command line, or the URL
    sandbox: bool


@dataclass(frozen=True)
class Finding:
    client: str
    path: Path
    entries: dict[str, Entry]  # by entry name
    project: str | None = None  # the project folder, for Claude Code's per-project entries
    error: str | None = None  # why the file could not be read


def sources(home: Path, cwd: Path) -> list[Source]:
    return [
        Source("Claude Code", home / ".claude.json", "mcpServers"),
        Source("Claude Code", home / ".claude.json", "mcpServers", project=str(cwd)),
        Source("Claude Code", cwd / ".mcp.json", "mcpServers"),
        Source("Cursor", home / ".cursor" / "mcp.json", "mcpServers"),
        Source("Cursor", cwd / ".cursor" / "mcp.json", "mcpServers"),
        Source("VS Code", cwd / ".vscode" / "mcp.json", "servers"),
        Source("Windsurf", home / ".codeium" / "windsurf" / "mcp_config.json", "mcpServers"),
        Source("Claude Desktop", _claude_desktop_dir(home) / "claude_desktop_config.json", "mcpServers"),
    ]


def _claude_desktop_dir(home: Path) -> Path:
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "Claude"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") / "Claude"
    return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "Claude"


def detect(home: Path, cwd: Path) -> Iterator[Finding]:
    """A finding for each source whose file exists, in `sources` order; a broken file once."""
    documents: dict[Path, Any] = {}
    for source in sources(home, cwd):
        if not source.path.is_file():
            continue
        if source.path in documents:
            document = documents[source.path]
            if isinstance(document, _Unreadable):
                continue
        else:
            document = documents[source.path] = _load(source.path)
            if isinstance(document, _Unreadable):
                yield Finding(source.client, source.path, {}, error=document.reason)
                continue
        if source.project is not None:
            document = _mapping(_mapping(document).get("projects")).get(source.project)
            if document is None:
                continue
        servers = _mapping(_mapping(document).get(source.servers_key))
        entries = {name: _entry(entry) for name, entry in servers.items() if _runs_this_server(name, entry)}
        yield Finding(source.client, source.path, entries, project=source.project)


@dataclass(frozen=True)
class _Unreadable:
    reason: str


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _Unreadable(_reason(exc))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _words(entry: dict[str, Any]) -> list[str]:
    args = entry.get("args")
    return [str(word) for word in [entry.get("command"), *(args if isinstance(args, list) else [])] if word is not None]


def _runs_this_server(name: str, entry: Any) -> bool:
    return name == SERVER_KEY or any(marker in word for word in _words(_mapping(entry)) for marker in _MARKERS)


def _entry(value: Any) -> Entry:
    entry = _mapping(value)
    words = _words(entry)
    sandbox = "--sandbox" in words or str(_mapping(entry.get("env")).get("SINCH_MCP_SANDBOX", "")).lower() in ("1", "true")
    url = entry.get("url") or entry.get("serverUrl")
    if isinstance(url, str) and not words:
        return Entry(None, url, sandbox)
    return Entry(words[0] if words else None, shlex.join(words), sandbox)


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    return f"unreadable ({type(exc).__name__})"
