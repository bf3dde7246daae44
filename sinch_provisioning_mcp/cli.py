"""Command line: serve (the default), `sandbox` (the simulator alone), `demo` and `doctor`."""

from __future__ import annotations

import argparse
import sys

from sinch_provisioning_mcp import __version__
from sinch_provisioning_mcp.sandbox.clock import DEFAULT_TRANSITION_DELAY_SECONDS
from sinch_provisioning_mcp.sandbox.tokens import DEFAULT_LIFETIME_SECONDS
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
    commands = parser.add_subparsers(dest="command", metavar="{sandbox,demo,doctor}")
    sandbox = commands.add_parser("sandbox", help="run the simulator alone as an HTTP server on loopback")
    sandbox.add_argument("--port", type=int, default=8080, dest="sandbox_port", help="default 8080")
    sandbox.add_argument(
        "--token-lifetime",
        type=_positive_int,
        default=DEFAULT_LIFETIME_SECONDS,
        metavar="SECONDS",
        help=f"lifetime of issued access tokens (default {DEFAULT_LIFETIME_SECONDS}, as Sinch's)",
    )
    sandbox.add_argument(
        "--transition-delay",
        type=_non_negative_float,
        default=DEFAULT_TRANSITION_DELAY_SECONDS,
        metavar="SECONDS",
        help=f"time a review, launch or bundle takes (default {DEFAULT_TRANSITION_DELAY_SECONDS:g})",
    )
    commands.add_parser("demo", help="walk a provisioning-webhook set-up against the sandbox over stdio")
    doctor = commands.add_parser("doctor", help="check the configuration the way the server would use it")
    # The serving flags again, so `doctor --sandbox` reads naturally; SUPPRESS keeps a value given before it.
    doctor.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS, help="check the embedded sandbox")
    doctor.add_argument("--toolsets", default=argparse.SUPPRESS, help="as when serving")
    doctor.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS, help="as when serving")
    doctor.add_argument("--mode", choices=("full", "compact"), default=argparse.SUPPRESS, help="as when serving")
    return parser


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds, at least 1")
    return int(text)


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds, at least 0")
    return value


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        return _serve_sandbox(args.sandbox_port, args.token_lifetime, args.transition_delay)
    if args.command == "demo":
        from sinch_provisioning_mcp.demo import run_demo

        return run_demo()
    if args.command == "doctor":
        from sinch_provisioning_mcp.doctor import run_doctor

        return run_doctor({"sandbox": args.sandbox, "toolsets": args.toolsets, "read_only": args.read_only, "mode": args.mode})
    try:
        settings = load_settings(sandbox=args.sandbox, toolsets=args.toolsets, read_only=args.read_only, mode=args.mode)
        from sinch_provisioning_mcp.state.backend import state_backend

        state = state_backend(settings)
        receiver = None
        if args.transport == "http":
            from sinch_provisioning_mcp.server.http import check_exposure, event_receiver

            # Before anything starts: on an address it cannot protect, the server would hand
            # the configured Sinch credentials to whoever reaches the port.
            check_exposure(settings, args.host)
            receiver = event_receiver(settings, args.host, args.port, state)
        from sinch_provisioning_mcp.server.app import build_server, deliveries, embedded_sandbox
        from sinch_provisioning_mcp.server.logs import configure_logging

        configure_logging(settings.log_level)
        sandbox = embedded_sandbox(settings) if settings.sandbox else None
        server = build_server(settings, sandbox=sandbox, events=receiver, state=state)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.transport == "http":
        from sinch_provisioning_mcp.server.http import serve_http

        serve_http(server, settings, args.host, args.port, receiver=receiver, sandbox=sandbox, state=state)
    else:
        import anyio

        from sinch_provisioning_mcp.server.stdio import serve_stdio

        async def serve() -> None:
            async with deliveries(sandbox):
                await serve_stdio(server)

        anyio.run(serve)
    return 0


def _serve_sandbox(port: int, token_lifetime: int, transition_delay: float) -> int:
    import uvicorn

    from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_PROJECT_ID, SandboxState, create_app

    state = SandboxState(token_lifetime_seconds=token_lifetime, transition_delay_seconds=transition_delay)
    # Loopback only: the simulator accepts published credentials and must not be reachable from elsewhere.
    print(
        f"Sinch Provisioning API sandbox on http://127.0.0.1:{port} (API under /v1/projects/..., "
        f"token endpoint /oauth2/token, controls under /_sandbox); key id {SANDBOX_KEY_ID}, "
        f"project {SANDBOX_PROJECT_ID}. Point a server at it with SINCH_PROVISIONING_URL, SINCH_AUTH_URL "
        "and SINCH_ALLOW_LOOPBACK=1.",
        file=sys.stderr,
    )
    uvicorn.run(create_app(state), host="127.0.0.1", port=port, log_level="warning")
    return 0
