"""What a request handler reaches: the state serving it and the project its path names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from .state import ProjectState, SandboxState


def state_of(request: HTTPConnection) -> SandboxState:
    """The state `create_app` attached to the application serving this request."""
    return request.app.state.sandbox


def project_of(request: HTTPConnection) -> ProjectState:
    """The store of the project named in the request path (`{projectId}`)."""
    return state_of(request).project(request.path_params["projectId"])
