"""Command line: serve (the default), `sandbox` (the simulator alone) and `demo`."""

from __future__ import annotations

import argparse
import sys

from sinch_provisioning_mcp import __version__
from sinch_provisioning_mcp.server.config import ConfigError, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sinch-provisioning-mcp",
        description="MCP server for the Sinch Provisioning API. Serves over stdio unless told otherwise.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="default: stdio")
    parser.add_argument(
        "--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1; beyond loopback needs SINCH_MCP_API_KEYS)"
    )
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000); the endpoint is /mcp")
    parser.add_argument("--sandbox", action="store_true", default=None, help="use the embedded simulator, no Sinch account needed")
    parser.add_argument("--toolsets", help="comma-separated toolsets to serve (default: all but deprecated)")
    parser.add_argument("--read-only", action="store_true", default=None, help="serve only tools that change nothing")
    parser.add_argument(
        "--mode", choices=("full", "compact"), default=None, help="full: one tool per operation (default); compact: three"
    )
    commands = parser.add_subparsers(dest="command", metavar="{sandbox,demo}")
    sandbox = commands.add_parser("sandbox", help="run the simulator alone as an HTTP server on loopback")
    sandbox.add_argument("--port", type=int, default=8080, dest="sandbox_port", help="default 8080")
    commands.add_parser("demo", help="walk a provisioning-webhook set-up against the sandbox over stdio")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        return _serve_sandbox(args.sandbox_port)
    if args.command == "demo":
        from sinch_provisioning_mcp.demo import run_demo

        return run_demo()
    try:
        settings = load_settings(sandbox=args.sandbox, toolsets=args.toolsets, read_only=args.read_only, mode=args.mode)
        if args.transport == "http":
            from sinch_provisioning_mcp.server.http import check_exposure

            # Before anything starts: on an address it cannot protect, the server would hand
            # the configured Sinch credentials to whoever reaches the port.
            check_exposure(settings, args.host)
        from sinch_provisioning_mcp.server.app import build_server
        from sinch_provisioning_mcp.server.logs import configure_logging

        configure_logging(settings.log_level)
        server = build_server(settings)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.transport == "http":
        from sinch_provisioning_mcp.server.http import serve_http

        serve_http(server, settings, args.host, args.port)
    else:
        import anyio

        from sinch_provisioning_mcp.server.stdio import serve_stdio

        anyio.run(serve_stdio, server)
    return 0


def _serve_sandbox(port: int) -> int:
    import uvicorn

    from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_PROJECT_ID, create_app

    # Loopback only: the simulator accepts published credentials and must not be reachable from elsewhere.
    print(
        f"Sinch Provisioning API sandbox on http://127.0.0.1:{port} (API under /v1/projects/..., "
        f"token endpoint /oauth2/token); key id {SANDBOX_KEY_ID}, project {SANDBOX_PROJECT_ID}. "
        "Point a server at it with SINCH_PROVISIONING_URL, SINCH_AUTH_URL and SINCH_ALLOW_LOOPBACK=1.",
        file=sys.stderr,
    )
    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_level="warning")
    return 0
