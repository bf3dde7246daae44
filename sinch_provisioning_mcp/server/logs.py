"""Logging: one line per record on stderr (stdout belongs to the protocol in stdio mode), redacted."""

from __future__ import annotations

import logging
import sys

from sinch_provisioning_mcp.guardrails.redact import RedactingFilter


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx2 logs each request URL at INFO; our own api_call line says the same without query strings.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
