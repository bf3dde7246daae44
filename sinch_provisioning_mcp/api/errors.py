"""Typed failures of the Provisioning API client."""

from __future__ import annotations

from typing import Any


class ProvisioningError(Exception):
    """Base of every failure the client raises."""


class ApiError(ProvisioningError):
    """The API answered with an error status; carries the PAPI error fields.

    `outcome_unknown`: the answer does not say whether a change was applied (a 5xx to a
    write, or a success whose body cannot be read), so the state must be read before
    trying again.
    """

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        resolution: str = "",
        additional_information: dict[str, Any] | None = None,
        operation: str = "",
        *,
        outcome_unknown: bool = False,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.message = message
        self.resolution = resolution
        self.additional_information = additional_information or {}
        self.operation = operation
        self.outcome_unknown = outcome_unknown
        super().__init__(f"HTTP {status} {error_code}: {message}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "errorCode": self.error_code,
            "message": self.message,
            "resolution": self.resolution,
            "additionalInformation": self.additional_information,
            "operation": self.operation,
        }


class InvalidPathParameter(ProvisioningError):
    """An identifier that cannot stand as one path segment; nothing was sent."""


class TransportError(ProvisioningError):
    """The request did not get an HTTP answer (connection failure, timeout)."""


class OutcomeUnknownError(TransportError):
    """A request that changes state may have reached the API, but its answer was lost.

    An operation the catalog does not call idempotent is not retried at all, because
    repeating it could create the resource twice; either way the caller must read the
    current state before trying again. A tool that knows how to read it says so in
    `next_steps` (list_bundles after a lost bundle order); otherwise the server names the
    read tools of the `operation`'s resource.
    """

    def __init__(self, message: str, next_steps: list[str] | None = None, operation: str = "") -> None:
        super().__init__(message)
        self.next_steps = next_steps or []
        self.operation = operation  # the operation whose answer was lost (`METHOD /v1/...`)


class AuthError(ProvisioningError):
    """No usable credentials, or the token endpoint refused them."""


class UrlNotAllowedError(ProvisioningError):
    """An outbound URL failed the first-party allowlist; nothing was sent."""
