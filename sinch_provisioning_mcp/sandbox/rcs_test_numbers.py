"""RCS test numbers: the devices invited to test a sender before launch.

`POST .../testNumbers {testNumbers: [E.164...]}` invites each number (200 with every test
number's `{number, state, submitted}`, as the OAS shows); `GET`, `DELETE` (204) and the
deprecated `GET .../retry` (another invite) on one number; `GET .../capabilities` lists
the RBM features of a VERIFIED device. The rules (`rcs_senders.invite`): no invite
before the Google agent exists (400 `no_google_supplier`), 20 invites a day and 200 in
all per agent (429 `rbm_too_many_requests`), a device that declined cannot be invited
again (404 `blocked_because_the_recipient_declined`), re-inviting a VERIFIED device
resets it to UNVERIFIED. A number the sender does not have is 404
`user_is_not_tester_for_agent`; capabilities of a device that has not accepted yet are
404 `user_has_not_accepted_invite`.

An invited device accepts after the transition delay (VERIFIED); the scenario outcome
`declined` makes it decline instead (type `rcs_test_number`). Choices where the docs
are silent: a number path parameter that is not E.164 is 400 `invalid_input`; the
capabilities a device reports are the ten RBM features less `REVOCATION` (revoking
messages needs an operator that supports it).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import PapiError
from .family import Family
from .rcs_senders import SENDERS, TEST_NUMBERS, invite, recipient_declined, render_test_number, sender_of
from .resources import Resource
from .validation import Rule, read_json_object, validate

FEATURES = (
    "ACTION_COMPOSE", "ACTION_CREATE_CALENDAR_EVENT", "ACTION_DIAL", "ACTION_OPEN_URL",
    "ACTION_OPEN_URL_IN_WEBVIEW", "ACTION_SHARE_LOCATION", "ACTION_VIEW_LOCATION",
    "RICHCARD_CAROUSEL", "RICHCARD_STANDALONE",
)  # fmt: skip
_RULES = (Rule("testNumbers", type="array", not_empty=True, format="e164", unique_items=True),)


def _not_a_tester() -> PapiError:
    return PapiError(404, "user_is_not_tester_for_agent", "Test number not found.", "Add test number to agent.")


def _number(request: Request) -> str:
    SENDERS.key_of(request.path_params["senderId"])
    number = request.path_params["testNumber"]
    validate({"testNumber": number}, (Rule("testNumber", format="e164"),))
    return number


def _tester(request: Request) -> tuple[Resource, Resource]:
    number = _number(request)
    sender = sender_of(request)
    try:
        return sender, sender.collection(TEST_NUMBERS).get(number)
    except PapiError:
        raise _not_a_tester() from None  # the OAS's resolution, not the engine's generic one


def _states(sender: Resource) -> dict[str, list[dict[str, str]]]:
    return {"testNumbers": [render_test_number(tester) for tester in sender.collection(TEST_NUMBERS)]}


async def add_test_numbers(request: Request) -> Response:
    SENDERS.key_of(request.path_params["senderId"])
    fields = validate(await read_json_object(request), _RULES)
    sender = sender_of(request)
    invite(sender, fields["testNumbers"])
    return JSONResponse(_states(sender))


async def get_test_number(request: Request) -> Response:
    _, tester = _tester(request)
    return JSONResponse(render_test_number(tester))


async def delete_test_number(request: Request) -> Response:
    sender, tester = _tester(request)
    tester.delete()
    listed = sender.data["details"].get("testNumbers") or []
    sender.data["details"]["testNumbers"] = [number for number in listed if number != tester.data["number"]]
    return Response(status_code=204)


async def retry_test_number(request: Request) -> Response:
    sender, tester = _tester(request)
    invite(sender, [tester.data["number"]])
    return JSONResponse(render_test_number(tester))


async def get_capabilities(request: Request) -> Response:
    _, tester = _tester(request)
    if tester.state == "DECLINED":
        raise recipient_declined()
    if tester.state != "VERIFIED":
        raise PapiError(
            404,
            "user_has_not_accepted_invite",
            "User has not accepted invite to become tester for agent.",
            "Please wait and try again later.",
        )
    return JSONResponse({"features": list(FEATURES)})


FAMILY = Family(
    routes=(
        Route("/rcs/senders/{senderId}/testNumbers", add_test_numbers, methods=["POST"]),
        Route("/rcs/senders/{senderId}/testNumbers/{testNumber}", get_test_number, methods=["GET"]),
        Route("/rcs/senders/{senderId}/testNumbers/{testNumber}", delete_test_number, methods=["DELETE"]),
        Route("/rcs/senders/{senderId}/testNumbers/{testNumber}/retry", retry_test_number, methods=["GET"]),
        Route("/rcs/senders/{senderId}/testNumbers/{testNumber}/capabilities", get_capabilities, methods=["GET"]),
    ),
)
