"""The PAPI error body (`errorCode`, `message`, `resolution`, `additionalInformation?`).

Every Provisioning API family answers failures with this one shape, so every sandbox
family raises `PapiError` and a single exception handler renders it. Messages and
resolutions are the ones the official OpenAPI 1.2.117 examples show, so a client that
surfaces them to a user shows what the real API would say.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class PapiError(Exception):
    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        resolution: str,
        additional_information: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.resolution = resolution
        self.additional_information = additional_information
        self.headers = headers

    def response(self) -> JSONResponse:
        body: dict[str, object] = {
            "errorCode": self.error_code,
            "message": self.message,
            "resolution": self.resolution,
        }
        if self.additional_information is not None:
            body["additionalInformation"] = self.additional_information
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def unauthorized(challenge: str) -> PapiError:
    """401 in the PAPI shape, with the `WWW-Authenticate` challenge every 401 must carry (RFC 9110)."""
    return PapiError(
        401,
        "unauthorized_error",
        "Unauthorized error.",
        "Verify that projectId is correct.",
        headers={"WWW-Authenticate": challenge},
    )


def invalid_payload() -> PapiError:
    return PapiError(400, "invalid_payload", "Invalid payload.", "Correct payload and submit again.")


def invalid_input(validation_errors: list[str]) -> PapiError:
    return PapiError(
        400,
        "invalid_input",
        "Invalid input.",
        "Correct the validation errors and submit again.",
        {"validationErrors": validation_errors},
    )


def invalid_id_format(param: str) -> PapiError:
    return PapiError(
        400,
        "invalid_id_format",
        "Id is not in the expected format.",
        f"{param} param is in the wrong format. Confirm that you're sending the correct value.",
    )


def not_found(error_code: str, what: str) -> PapiError:
    """`<what> not found.` with the family's own code (webhook_not_found, account_not_found...)."""
    return PapiError(404, error_code, f"{what} not found.", "Verify that the parameters are correct.")


async def papi_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PapiError)
    return exc.response()


# The real API's answer to an unknown path is not documented; the sandbox keeps the PAPI
# shape there too so a client never has to parse a second error format.
_ROUTING_ERRORS = {
    404: ("not_found", "Not found.", "Check the path against the Provisioning API reference."),
    405: ("method_not_allowed", "Method not allowed.", "Use one of the methods listed in the Allow header."),
}


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message, resolution = _ROUTING_ERRORS.get(
        exc.status_code, ("http_error", str(exc.detail), "Check the request against the Provisioning API reference.")
    )
    return PapiError(exc.status_code, code, message, resolution, headers=exc.headers).response()
