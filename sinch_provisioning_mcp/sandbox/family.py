"""What a family module hands to `create_app`: its routes and the resource types it declares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from .resources import ResourceType

if TYPE_CHECKING:
    from .state import SandboxState


@dataclass(frozen=True)
class Family:
    routes: Sequence[BaseRoute]  # relative to /v1/projects/{projectId}
    resource_types: Sequence[ResourceType] = ()  # named by the /_sandbox controls
    # What exists before any call (the seeded project's RCS account); must be idempotent,
    # since several apps may serve one state.
    prepare: Callable[[SandboxState], None] | None = None
