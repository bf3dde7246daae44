"""Sandbox Webhooks family: the six operations and the product rules behind them."""

import json
import re

import httpx2
import pytest


PROJECT = "webhook-project"
WEBHOOKS = f"/v1/projects/{PROJECT}/webhooks"
ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
ABSENT_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def body(target: str = "https://hooks.example.com/a", triggers=("ALL",), secret: str = "s3cret") -> dict:
    return {"target": target, "secret": secret, "triggers": list(triggers)}


async def create(client, **kwargs) -> dict:
    response = await client.post(WEBHOOKS, json=body(**kwargs))
    assert response.status_code == 201, response.text
    return response.json()


def validation_errors(response: httpx2.Response) -> list[str]:
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["errorCode"] == "invalid_input"
    assert payload["message"] == "Invalid input."
    return payload["additionalInformation"]["validationErrors"]


async def test_create_returns_the_webhook_without_its_secret(client):
    response = await client.post(WEBHOOKS, json=body(triggers=["BUNDLE_DONE", "RCS_SENDER_STATUS_UPDATED"]))
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "target", "projectId", "triggers"}
    assert ULID.fullmatch(created["id"])
    assert created["target"] == "https://hooks.example.com/a"
    assert created["projectId"] == PROJECT
    assert created["triggers"] == ["BUNDLE_DONE", "RCS_SENDER_STATUS_UPDATED"]


async def test_get_returns_the_stored_webhook(client):
    created = await create(client)
    response = await client.get(f"{WEBHOOKS}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert "s3cret" not in response.text


async def test_ids_are_case_insensitive_ulids(client):
    created = await create(client)
    response = await client.get(f"{WEBHOOKS}/{created['id'].lower()}")
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


async def test_list_is_alphabetical_by_target_and_hides_secrets(client):
    for target in ["https://c.example.com/", "https://a.example.com/", "https://b.example.com/"]:
        await create(client, target=target)
    response = await client.get(WEBHOOKS)
    assert response.status_code == 200
    listed = response.json()
    assert listed["totalSize"] == 3
    assert listed["pageSize"] == 15
    assert [hook["target"] for hook in listed["webhooks"]] == [
        "https://a.example.com/",
        "https://b.example.com/",
        "https://c.example.com/",
    ]
    assert all("secret" not in hook for hook in listed["webhooks"])
    assert "nextPageToken" not in listed and "previousPageToken" not in listed


async def test_projects_do_not_share_webhooks(client):
    await create(client)
    other = await client.get("/v1/projects/another-project/webhooks")
    assert other.status_code == 200
    assert other.json() == {"totalSize": 0, "pageSize": 15, "webhooks": []}
    # The same target is free in another project: uniqueness is per project.
    again = await client.post("/v1/projects/another-project/webhooks", json=body())
    assert again.status_code == 201
    assert again.json()["projectId"] == "another-project"


async def test_put_replaces_every_field(client):
    created = await create(client)
    replacement = body(target="https://hooks.example.com/new", triggers=["WHATSAPP_SENDER_ACTIVE"], secret="other")
    response = await client.put(f"{WEBHOOKS}/{created['id']}", json=replacement)
    assert response.status_code == 200
    expected = {
        "id": created["id"],
        "target": replacement["target"],
        "projectId": PROJECT,
        "triggers": replacement["triggers"],
    }
    assert response.json() == expected
    assert (await client.get(f"{WEBHOOKS}/{created['id']}")).json() == expected


async def test_put_needs_the_full_body(client):
    created = await create(client)
    response = await client.put(f"{WEBHOOKS}/{created['id']}", json={"triggers": ["ALL"]})
    errors = validation_errors(response)
    assert "target must be a URL address" in errors
    assert "secret must be a string" in errors
    assert (await client.get(f"{WEBHOOKS}/{created['id']}")).json() == created


async def test_put_may_keep_its_own_target(client):
    created = await create(client)
    response = await client.put(f"{WEBHOOKS}/{created['id']}", json=body(triggers=["BUNDLE_DONE"]))
    assert response.status_code == 200
    assert response.json()["triggers"] == ["BUNDLE_DONE"]


async def test_patch_changes_only_the_given_fields(client):
    created = await create(client, triggers=["ALL"])
    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={"triggers": ["BUNDLE_DONE"]})
    assert response.status_code == 200
    assert response.json() == {**created, "triggers": ["BUNDLE_DONE"]}

    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={"target": "https://hooks.example.com/moved"})
    assert response.status_code == 200
    assert response.json() == {**created, "triggers": ["BUNDLE_DONE"], "target": "https://hooks.example.com/moved"}

    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={"secret": "rotated"})
    assert response.status_code == 200
    assert response.json() == {**created, "triggers": ["BUNDLE_DONE"], "target": "https://hooks.example.com/moved"}


async def test_patch_with_no_field_is_refused(client):
    created = await create(client)
    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "no_fields_to_update"
    assert response.json()["resolution"]


async def test_patch_validates_the_fields_it_is_given(client):
    created = await create(client)
    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={"target": "not a url"})
    assert validation_errors(response) == ["target must be a URL address"]
    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={"triggers": []})
    assert validation_errors(response) == ["triggers should not be empty"]


async def test_delete_removes_the_webhook(client):
    created = await create(client)
    response = await client.delete(f"{WEBHOOKS}/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"{WEBHOOKS}/{created['id']}")).status_code == 404
    assert (await client.get(WEBHOOKS)).json()["totalSize"] == 0
    assert (await client.delete(f"{WEBHOOKS}/{created['id']}")).status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_missing_webhook_is_webhook_not_found(client, method):
    response = await client.request(method, f"{WEBHOOKS}/{ABSENT_ID}", json=body())
    assert response.status_code == 404
    assert response.json() == {
        "errorCode": "webhook_not_found",
        "message": "Webhook not found.",
        "resolution": "Verify that the parameters are correct.",
    }


async def test_webhook_of_another_project_is_not_found(client):
    created = await create(client)
    response = await client.get(f"/v1/projects/another-project/webhooks/{created['id']}")
    assert response.status_code == 404
    assert response.json()["errorCode"] == "webhook_not_found"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "bad_id",
    [
        "not-an-id",
        "01ARZ3NDEKTSV4RRFFQ69G5FA",  # 25 characters
        "01ARZ3NDEKTSV4RRFFQ69G5FAVX",  # 27 characters
        "81ARZ3NDEKTSV4RRFFQ69G5FAV",  # overflows 128 bits
        "01ARZ3NDEKTSV4RRFFQ69G5FAU",  # U is not Crockford base32
    ],
)
async def test_malformed_id_is_invalid_id_format(client, method, bad_id):
    response = await client.request(method, f"{WEBHOOKS}/{bad_id}", json=body())
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_id_format"
    assert "webhookId" in response.json()["resolution"]


async def test_sixteenth_webhook_is_refused(client):
    for n in range(15):
        await create(client, target=f"https://hooks.example.com/{n:02d}")
    response = await client.post(WEBHOOKS, json=body(target="https://hooks.example.com/16"))
    assert response.status_code == 424
    assert response.json() == {
        "errorCode": "webhook_limit_reached",
        "message": "Number of webhooks has reached the limit.",
        "resolution": "Delete some webhooks to be able to add more.",
    }
    listed = (await client.get(WEBHOOKS)).json()
    assert listed["totalSize"] == 15
    # Deleting one frees a slot.
    await client.delete(f"{WEBHOOKS}/{listed['webhooks'][0]['id']}")
    assert (await client.post(WEBHOOKS, json=body(target="https://hooks.example.com/16"))).status_code == 201


async def test_duplicate_target_is_refused_on_create(client):
    await create(client)
    response = await client.post(WEBHOOKS, json=body(triggers=["BUNDLE_DONE"]))
    assert response.status_code == 409
    assert response.json()["errorCode"] == "webhook_exists"
    assert (await client.get(WEBHOOKS)).json()["totalSize"] == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_moving_onto_another_webhooks_target_is_refused(client, method):
    first = await create(client, target="https://hooks.example.com/first")
    second = await create(client, target="https://hooks.example.com/second")
    response = await client.request(method, f"{WEBHOOKS}/{second['id']}", json=body(target=first["target"]))
    assert response.status_code == 409
    assert response.json()["errorCode"] == "webhook_exists"
    assert (await client.get(f"{WEBHOOKS}/{second['id']}")).json() == second


async def test_all_may_be_combined_with_other_triggers(client):
    created = await create(client, triggers=["ALL", "BUNDLE_DONE"])
    assert created["triggers"] == ["ALL", "BUNDLE_DONE"]


async def test_every_documented_trigger_is_accepted(client):
    from sinch_provisioning_mcp.sandbox.webhooks import WEBHOOK_TRIGGERS

    assert len(WEBHOOK_TRIGGERS) == len(set(WEBHOOK_TRIGGERS)) == 39
    created = await create(client, triggers=WEBHOOK_TRIGGERS)
    assert created["triggers"] == list(WEBHOOK_TRIGGERS)


@pytest.mark.parametrize(
    ("triggers", "expected"),
    [
        (["NOT_A_TRIGGER"], "each value in triggers must be one of the following values: ALL, BUNDLE_DONE"),
        (["ALL", "all"], "each value in triggers must be one of the following values: ALL, BUNDLE_DONE"),
        ([], "triggers should not be empty"),
        ("ALL", "triggers must be an array"),
        (None, "triggers must be an array"),
        (["ALL", "ALL"], "All triggers's elements must be unique"),
    ],
)
async def test_bad_triggers_are_invalid_input(client, triggers, expected):
    response = await client.post(WEBHOOKS, json={**body(), "triggers": triggers})
    errors = validation_errors(response)
    assert len(errors) == 1
    assert errors[0].startswith(expected)


@pytest.mark.parametrize(
    "target",
    [
        "ftp://hooks.example.com/",
        "/relative/path",
        "hooks.example.com/x",
        "https://",
        "https://exa mple.com/",
        "https://example.com:99999/",
        42,
    ],
)
async def test_target_must_be_an_absolute_http_url(client, target):
    response = await client.post(WEBHOOKS, json={**body(), "target": target})
    assert "target must be a URL address" in validation_errors(response)


@pytest.mark.parametrize(
    "target",
    [
        "http://localhost:3000/cb",  # no top-level domain
        "http://intranet/cb",
        "https://example.c/cb",  # a one-letter TLD
        "https://example.123/cb",  # a numeric TLD
        "https://exa_mple.com/cb",
        "https://-example.com/cb",
        "https://example.com./cb",
        "https://example.com:0/cb",
    ],
)
async def test_target_host_needs_a_top_level_domain_or_an_ip(client, target):
    response = await client.post(WEBHOOKS, json=body(target=target))
    assert validation_errors(response) == ["target must be a URL address"]


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:3000/cb",
        "http://[::1]:8080/cb",
        "http://hooks.example.com:8080/hook?x=1",
        "https://user:pw@xn--bcher-kva.example/cb",
        "https://sub.domain.example.co.uk/a/b#frag",
    ],
)
async def test_http_and_ips_and_ports_and_queries_are_valid_targets(client, target):
    created = await create(client, target=target)
    assert created["target"] == target


async def test_target_is_at_most_742_characters(client):
    prefix = "https://hooks.example.com/"
    longest = prefix + "a" * (742 - len(prefix))
    assert (await create(client, target=longest))["target"] == longest
    response = await client.post(WEBHOOKS, json=body(target=longest + "b"))
    assert validation_errors(response) == ["target must be shorter than or equal to 742 characters"]


async def test_secret_is_1_to_128_characters(client):
    await create(client, target="https://hooks.example.com/128", secret="s" * 128)
    response = await client.post(WEBHOOKS, json=body(secret="s" * 129))
    assert validation_errors(response) == ["secret must be shorter than or equal to 128 characters"]
    created = await create(client, target="https://hooks.example.com/patched")
    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json={"secret": "s" * 129})
    assert validation_errors(response) == ["secret must be shorter than or equal to 128 characters"]
    response = await client.put(f"{WEBHOOKS}/{created['id']}", json=body(secret=""))
    assert validation_errors(response) == ["secret should not be empty"]


async def test_create_lists_every_problem_at_once(client):
    response = await client.post(WEBHOOKS, json={"secret": "", "trigger": ["ALL"]})
    assert validation_errors(response) == [
        "property trigger should not exist",
        "target must be a string",
        "target must be a URL address",
        "secret should not be empty",
        "triggers must be an array",
    ]


INVALID_PAYLOAD = {
    "errorCode": "invalid_payload",
    "message": "Invalid payload.",
    "resolution": "Correct payload and submit again.",
}


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe"])
async def test_malformed_body_is_invalid_payload(client, content):
    response = await client.post(WEBHOOKS, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == INVALID_PAYLOAD


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/jsonp", "multipart/form-data"]
)
async def test_a_body_not_sent_as_json_is_invalid_payload(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    content = json.dumps(body()).encode()
    response = await client.post(WEBHOOKS, content=content, headers=headers)
    assert response.status_code == 400
    assert response.json() == INVALID_PAYLOAD
    assert (await client.get(WEBHOOKS)).json()["totalSize"] == 0


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
async def test_json_media_type_parameters_and_case_are_accepted(client, content_type):
    response = await client.post(WEBHOOKS, content=json.dumps(body()).encode(), headers={"Content-Type": content_type})
    assert response.status_code == 201


async def test_unsupported_method_on_the_collection_is_405(client):
    response = await client.delete(WEBHOOKS)
    assert response.status_code == 405
    assert response.json()["errorCode"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
