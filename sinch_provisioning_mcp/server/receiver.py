"""The endpoint Sinch posts provisioning events to, when the server runs over HTTP.

Enabled by `SINCH_MCP_EVENTS_SECRET` (the secret the project's provisioning webhook signs
with; several, comma-separated, during a rotation). It is authenticated by the delivery's
signature, not by the MCP API keys (Sinch cannot send those). Every delivery is verified
before it is read (`api/events.py`); a refused one is answered 401 and logged with the
reason only. Accepted events go to the log that `list_provisioning_events` and
`wait_for_state` read. When the shared state (Redis, in hosted mode) cannot be reached,
a delivery is answered 503, so Sinch delivers it again later: its nonce cannot be checked
nor the event recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sinch_provisioning_mcp.api.events import Receiver, RejectedDelivery, authenticate
from sinch_provisioning_mcp.state import StateUnavailable

EVENTS_PATH = "/events"
# A provisioning event is one resource snapshot: far below this.
MAX_BODY_BYTES = 512 * 1024

log = logging.getLogger("sinch_provisioning_mcp.events")


def receiver_route(receiver: Receiver, secrets: tuple[str, ...], clock: Callable[[], float] = time.time) -> Route:
    async def receive(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse({"error": "payload too large"}, status_code=413)
        now = clock()
        try:
            document, nonce = authenticate(secrets, body, request.headers, now)
            if not await receiver.nonces.first_time(nonce, now):
                raise RejectedDelivery("nonce already used")
            event = await receiver.log.add(document, now)
        except RejectedDelivery as exc:
            log.warning("refused a provisioning event delivery: %s", exc)
            return JSONResponse({"error": str(exc)}, status_code=401)
        except StateUnavailable as exc:
            log.warning("could not take a provisioning event delivery: %s", exc)
            return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
        log.info("provisioning event %s received (sequence %d)", event.trigger, event.sequence)
        # Sinch ignores the body; answering at once keeps it from retrying.
        return Response(status_code=204)

    return Route(EVENTS_PATH, receive, methods=["POST"])
