"""The Provisioning API operations this package calls, written as the catalog writes them.

Tools name an operation instead of building URLs; the client renders the path. The same
`Operation` is what a tool declares in its `_meta`, so the declaration cannot drift from
the request it actually sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from sinch_provisioning_mcp.api.errors import InvalidPathParameter

_PARAM = re.compile(r"\{([A-Za-z]+)\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str

    @property
    def key(self) -> str:
        """`METHOD /v1/projects/{projectId}/...`, the form tools declare in `_meta`."""
        return f"{self.method} {self.path}"

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    def render(self, params: dict[str, str]) -> str:
        """The request path, each parameter percent-encoded as one path segment."""
        for name in self.param_names:
            value = str(params.get(name) or "")
            # quote() leaves dots alone, and a bare "." or ".." segment would be resolved
            # away by URL normalisation, sending the request to a parent resource.
            if value in ("", ".", ".."):
                raise InvalidPathParameter(f"{name} {value!r} is not a valid identifier")
        return _PARAM.sub(lambda m: quote(str(params[m.group(1)]), safe=""), self.path)


# Webhooks
LIST_WEBHOOKS = Operation("GET", "/v1/projects/{projectId}/webhooks")
CREATE_WEBHOOK = Operation("POST", "/v1/projects/{projectId}/webhooks")
GET_WEBHOOK = Operation("GET", "/v1/projects/{projectId}/webhooks/{webhookId}")
REPLACE_WEBHOOK = Operation("PUT", "/v1/projects/{projectId}/webhooks/{webhookId}")
UPDATE_WEBHOOK = Operation("PATCH", "/v1/projects/{projectId}/webhooks/{webhookId}")
DELETE_WEBHOOK = Operation("DELETE", "/v1/projects/{projectId}/webhooks/{webhookId}")

# RCS accounts
LIST_RCS_ACCOUNT_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/rcs/activities")
CREATE_RCS_ACCOUNT_COMMENT = Operation("POST", "/v1/projects/{projectId}/rcs/comments")
