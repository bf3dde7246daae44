"""The deprecated Embedded Signup helpers: `POST /whatsapp/longLivedAccessToken` (a Facebook
token or single-use code exchanged for a 60-day token) and `POST /whatsapp/wabaDetails` (the
WABAs and numbers a Facebook token reaches).

Sandbox choices: the long-lived token is random (`EAAS...`); a token containing "invalid" is
400 `invalid_facebook_token` and a code works once (400 `invalid_facebook_code` after), as in
the sender token flow; wabaDetails lists the project's WABA (or the sandbox's) with two
numbers, `provisioned` when one of the project's senders uses them. Neither needs an account:
they come before onboarding.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import invalid_input
from .family import Family
from .validation import Rule, read_json_object, validate
from .whatsapp_accounts import ACCOUNT_MANAGERS, FIXTURE_WABA_ID, account_of
from .whatsapp_senders import SENDERS, facebook_token_check

SANDBOX_NUMBERS = (("300000000000001", "+15550100001"), ("300000000000002", "+15550100002"))
_MANAGER = Rule("businessManager", required=False, enum=ACCOUNT_MANAGERS)


async def long_lived_access_token(request: Request) -> Response:
    rules = (
        Rule("facebookToken", required=False, not_empty=True),
        Rule("facebookCode", required=False, not_empty=True),
        _MANAGER,
    )
    fields = validate(await read_json_object(request), rules)
    if not {"facebookToken", "facebookCode"} & fields.keys():
        raise invalid_input(["facebookToken should not be empty"])
    facebook_token_check(project_of(request), fields)
    return JSONResponse({"longLivedAccessToken": f"EAAS{secrets.token_urlsafe(48)}"}, status_code=201)


async def waba_details(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("facebookToken", not_empty=True), _MANAGER))
    project = project_of(request)
    facebook_token_check(project, fields)
    account = account_of(project)
    used = {sender.data.get("phoneNumberId") for sender in project.collection(SENDERS)}
    numbers = [
        {"id": number_id, "displayPhoneNumber": phone, "provisioned": number_id in used}
        for number_id, phone in SANDBOX_NUMBERS
    ]
    return JSONResponse({"wabas": [{"id": account.data["wabaId"] if account else FIXTURE_WABA_ID, "numbers": numbers}]})


FAMILY = Family(
    routes=(
        Route("/whatsapp/longLivedAccessToken", long_lived_access_token, methods=["POST"]),
        Route("/whatsapp/wabaDetails", waba_details, methods=["POST"]),
    )
)
