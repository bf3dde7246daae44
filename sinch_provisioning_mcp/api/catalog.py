"""The Provisioning API catalog: every operation's path, fields, limits and effect.

`provisioning-api.json` is this project's copy of the reference catalog (a test compares
it with the shared reference when that is present). It is the one source of policy:
read-only mode, MCP annotations and the confirmation requirement all come from an
operation's `effect`, never from its HTTP method.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Effect = Literal["read", "write", "destructive", "irreversible"]


@dataclass(frozen=True)
class Policy:
    """What calling an operation can do, as the catalog classifies it."""

    effect: Effect
    idempotent: bool
    # Writes only: False when the call can overwrite or reset existing state.
    additive: bool = True
    # Present exactly when a call may need the user's confirmation; the text to show them.
    confirm_reason: str | None = None
    # True when only some calls need confirming (the tool decides which, per call).
    conditional: bool = False
    deprecated: bool = False

    @property
    def read_only(self) -> bool:
        return self.effect == "read"

    @property
    def destructive_hint(self) -> bool:
        """MCP: false promises "only additive updates", so overwriting writes count as destructive."""
        return self.effect in ("destructive", "irreversible") or (self.effect == "write" and not self.additive)


@cache
def catalog() -> dict[str, Any]:
    return json.loads(files(__package__).joinpath("provisioning-api.json").read_text(encoding="utf-8"))


@cache
def _entries() -> dict[str, dict[str, Any]]:
    return {f"{entry['method']} {entry['path']}": entry for entry in catalog()["operations"]}


def entry(key: str) -> dict[str, Any]:
    """The catalog entry of `METHOD /v1/projects/{projectId}/...`; KeyError names the unknown key."""
    try:
        return _entries()[key]
    except KeyError:
        raise KeyError(f"{key} is not an operation of the Provisioning API catalog") from None


@cache
def policy(key: str) -> Policy:
    found = entry(key)
    return Policy(
        effect=found["effect"],
        idempotent=bool(found["idempotent"]),
        additive=bool(found.get("additive", True)),
        confirm_reason=found.get("confirm_reason"),
        conditional="confirm_when" in found,
        deprecated=bool(found.get("deprecated")),
    )
