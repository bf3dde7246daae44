"""Where the state lives that every replica of a hosted server must share.

In memory by default (one process: nothing changes for a single user); in Redis when
`SINCH_MCP_REDIS_URL` is set (`state/redis.py`, imported only then): the confirmation-token
ledger, the received provisioning events, the webhook nonces and the OAuth token.
"""

from __future__ import annotations


class StateUnavailable(Exception):
    """The shared state cannot be reached; the message says what was not done, never the URL."""
