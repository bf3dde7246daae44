"""Issue #15, item 2: hostile input for every tool, drawn from the tool's own input schema.

For every tool (from the registry), property-based with hypothesis, from its example
arguments (or none): a wrong type, a missing required or an unknown field, an over-long
string, a number out of range, a value outside an enum, a lone surrogate, anywhere in the
arguments, nested ones included. Each is refused with a validation error naming the field,
never a crash, and nothing at all is sent (not even a token request).

Identifiers go into paths: `..` and `.` are refused; anything else (`a/b`, `%2F`, `?x`,
`#y`, ...) travels as exactly one path segment. Arguments drawn from the input schema
(hypothesis-jsonschema) either meet the server's own rules, reach the sandbox and come
back with the API's answer, or are refused naming a field; never a crash.

Bounded and reproducible: few examples per tool, `derandomize`, no deadline, no database.
Examples are drawn in plain (synchronous) test functions and the calls run in one event
loop behind a blocking portal, where one session per tool serves all of its examples:
hypothesis ends an example by raising from a draw, which must not cross an event loop.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from mcp_types import CallToolResult
from pydantic.alias_generators import to_camel

from conftest import receiver
from test_contract import arms
from reliability import (
    ALL_TOOLSETS,
    CATALOG,
    SPECS,
    TOOLS,
    SandboxSwitch,
    Sleeps,
    call,
    example,
    operation_of,
    reliability_server,
    session_in,
)
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings
from sinch_provisioning_mcp.server.schema import input_schema

SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SCHEMAS = {name: input_schema(spec) for name, spec in SPECS.items()}
# Every `{param}` of the catalog's paths: an argument named like one ends up in a path.
PATH_PARAMS = {part[1:-1] for op in CATALOG["operations"] for part in op["path"].split("/") if part.startswith("{")}


@pytest.fixture(scope="module")
def switch() -> SandboxSwitch:
    return SandboxSwitch()


@pytest.fixture(scope="module")
def server(switch):
    return reliability_server(switch, Sleeps())


@pytest.fixture(scope="module")
def portal() -> BlockingPortal:
    with start_blocking_portal() as portal:
        yield portal


@pytest.fixture(scope="module")
def session(portal, server):
    with session_in(portal, server) as client:
        yield client


@pytest.fixture
def client(session, switch):
    """The module's session, on a fresh sandbox for each tool (each example clears what was sent before it)."""
    switch.reset()
    return session


# --- the schema, as the client sees it (`arms`: a field's schema, or each arm of its union, resolved) ---------


def types_of(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for arm in arms(schema, node):
        kind = arm.get("type")
        found |= set(kind) if isinstance(kind, list) else {kind} if kind else set()
        if "enum" in arm or "const" in arm:
            found.add("enum")
        if "properties" in arm:
            found.add("object")
    return found


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Field:
    path: Path
    node: dict[str, Any]
    required: bool

    @property
    def name(self) -> str:
        """As the server names a field: dotted, list items as [n]."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


def object_arm(schema: dict[str, Any], node: dict[str, Any], value: Any = None) -> dict[str, Any] | None:
    """The object arm of `node`; of a union, the one `value` is an instance of (a template's BODY component)."""
    objects = [arm for arm in arms(schema, node) if "properties" in arm]
    defs = {"$defs": schema.get("$defs", {})}
    fitting = [arm for arm in objects if jsonschema.Draft202012Validator({**arm, **defs}).is_valid(value)]
    return (fitting or objects or [None])[0]


def fields(schema: dict[str, Any], node: dict[str, Any], value: Any, prefix: Path = ()) -> list[Field]:
    """Every property of `node`, and those of the objects `value` holds (nested, list items too)."""
    found = []
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        path = (*prefix, name)
        found.append(Field(path, sub, name in required))
        inner = value.get(name) if isinstance(value, dict) else None
        if isinstance(inner, dict) and (obj := object_arm(schema, sub, inner)) is not None:
            found += fields(schema, obj, inner, path)
        elif isinstance(inner, list) and inner and isinstance(inner[0], dict):
            items = next((arm.get("items") for arm in arms(schema, sub) if "items" in arm), None)
            if items is not None and (obj := object_arm(schema, items, inner[0])) is not None:
                found += fields(schema, obj, inner[0], (*path, 0))
    return found


def put(arguments: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(arguments)
    target: Any = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def drop(arguments: dict[str, Any], path: Path) -> dict[str, Any]:
    changed = copy.deepcopy(arguments)
    target: Any = changed
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return changed


def get(arguments: dict[str, Any], path: Path) -> Any:
    target: Any = arguments
    for part in path:
        target = target[part]
    return target


def present(arguments: dict[str, Any], path: Path) -> bool:
    try:
        get(arguments, path[:-1])[path[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def schema_valid(name: str, arguments: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(SCHEMAS[name]).is_valid(arguments)


# --- invalid arguments -------------------------------------------------------------------


# Values of every JSON type; a wrong type is one of these that the field's schema refuses.
WRONG_VALUES: list[Any] = [12345, 3.5, True, "\u2205 not this", [], [7], {}, {"x": 1}]
# Lax conversions pydantic makes on purpose (and the pipeline makes for lists and objects sent
# as JSON text): a value of the right meaning in another form is not a wrong type.
BOOLEAN_WORDS = {"0", "1", "true", "false", "yes", "no", "on", "off", "t", "f", "y", "n"}


def wrong_for(field_types: set[str], value: Any) -> bool:
    if {"integer", "number"} & field_types and (
        isinstance(value, bool) or (isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit())
    ):
        return False
    if "boolean" in field_types and (value in (0, 1) or (isinstance(value, str) and value.lower() in BOOLEAN_WORDS)):
        return False
    return True


@dataclass(frozen=True)
class Mutation:
    kind: str
    arguments: dict[str, Any]
    field: str  # the field the refusal must name


@st.composite
def invalid_arguments(draw: st.DrawFn, name: str) -> Mutation:
    schema = SCHEMAS[name]
    base = example(name)
    assert schema_valid(name, base), f"{name}: its example does not meet its own input schema"
    every = fields(schema, schema, base)
    kind = draw(
        st.sampled_from(["wrong_type", "missing", "extra", "too_long", "out_of_range", "not_in_enum", "surrogate"])
    )
    if kind == "missing":
        candidates = [f for f in every if f.required and present(base, f.path)]
    elif kind == "extra":
        candidates = [Field((), schema, False)] + [
            f
            for f in every
            if present(base, f.path)
            and isinstance(value := get(base, f.path), dict)
            and (obj := object_arm(schema, f.node, value)) is not None
            and "additionalProperties" not in obj  # a free-form object (questionnaire answers) takes any key
        ]
    elif kind == "too_long":
        candidates = [f for f in every if any("maxLength" in a or "maxItems" in a for a in arms(schema, f.node))]
    elif kind == "out_of_range":
        candidates = [f for f in every if any("minimum" in a or "maximum" in a for a in arms(schema, f.node))]
    elif kind == "not_in_enum":
        candidates = [
            f for f in every if types_of(schema, f.node) == {"enum"} or types_of(schema, f.node) == {"enum", "string"}
        ]
    elif kind == "surrogate":
        candidates = [f for f in every if "string" in types_of(schema, f.node)]
    else:
        candidates = every
    if not candidates:
        kind, candidates = "extra", [Field((), schema, False)]
    chosen = draw(st.sampled_from(candidates))
    options = arms(schema, chosen.node)

    if kind == "missing":
        return Mutation(kind, drop(base, chosen.path), chosen.name)
    if kind == "extra":
        # A camelCase alias is not a name agents may use either.
        key = draw(st.sampled_from(["unexpected", "webhookId", "__proto__", "../x"]))
        node = object_arm(schema, chosen.node, get(base, chosen.path)) if chosen.path else schema
        if key in node.get("properties", {}):
            key = "unexpected"
        return Mutation(kind, put(base, (*chosen.path, key), "surplus"), Field((*chosen.path, key), {}, False).name)
    if kind == "too_long":
        arm = next(a for a in options if "maxLength" in a or "maxItems" in a)
        if "maxLength" in arm:
            surplus = draw(st.sampled_from([1, 1000, 1_000_000]))
            value: Any = "x" * (arm["maxLength"] + surplus)
        else:
            current = get(base, chosen.path) if present(base, chosen.path) else []
            item = current[0] if current else "x"
            value = [item] * (arm["maxItems"] + 1)
        return Mutation(kind, put(base, chosen.path, value), chosen.name)
    if kind == "out_of_range":
        arm = next(a for a in options if "minimum" in a or "maximum" in a)
        edges = [arm["minimum"] - 1] if "minimum" in arm else []
        edges += [arm["maximum"] + 1, 10**30] if "maximum" in arm else []
        return Mutation(kind, put(base, chosen.path, draw(st.sampled_from(edges))), chosen.name)
    if kind == "not_in_enum":
        return Mutation(kind, put(base, chosen.path, "NOT_AN_ALLOWED_VALUE"), chosen.name)
    if kind == "surrogate":
        return Mutation(kind, put(base, chosen.path, "ab\ud800cd"), chosen.name)
    field_types = types_of(schema, chosen.node)
    wrong = [v for v in WRONG_VALUES if wrong_for(field_types, v) and not schema_valid(name, put(base, chosen.path, v))]
    if not wrong:  # a field that takes any JSON value: nothing is of the wrong type
        return Mutation("extra", {**base, "unexpected": 1}, "unexpected")
    return Mutation(kind, put(base, chosen.path, draw(st.sampled_from(wrong))), chosen.name)


def assert_no_crash(result: CallToolResult) -> None:
    """An error is always the server's structured error, never an exception's text."""
    if result.is_error:
        error = (result.structured_content or {}).get("error")
        assert isinstance(error, dict) and error.get("errorCode") and error.get("message"), result.content[0].text


def names_field(problem: dict[str, str], field: str) -> bool:
    """The problem is about `field`, or inside it; or, for a union told apart by a key, about the item
    whose key is missing or wrong, saying which key."""
    named = problem["field"]
    if named == field or named.startswith((f"{field}.", f"{field}[")):
        return True
    parent, _, key = field.rpartition(".")
    return bool(parent) and named == parent and f"'{key}'" in problem["problem"]


@pytest.mark.parametrize("name", TOOLS)
@SETTINGS
@given(data=st.data())
def test_invalid_arguments_are_refused_naming_the_field_and_nothing_is_sent(portal, client, switch, name, data):
    mutation = data.draw(invalid_arguments(name), label="mutation")
    switch.requests.clear()
    result = portal.call(call, client, name, mutation.arguments)
    assert_no_crash(result)
    assert result.is_error, f"{mutation.kind} at {mutation.field} was accepted: {result.content[0].text[:300]}"
    error = result.structured_content["error"]
    assert error["errorCode"] == "invalid_arguments", error
    problems = error.get("problems", [])
    assert any(names_field(problem, mutation.field) for problem in problems), (
        f"{mutation.kind}: {mutation.field} not in {problems}"
    )
    assert mutation.field.split(".")[0].split("[")[0] in error["message"]
    assert switch.requests == [], "nothing may be sent for invalid arguments"


# --- identifiers in paths ----------------------------------------------------------------------

REFUSED_SEGMENTS = ["..", "."]
TRICKY_SEGMENTS = ["a/b", "%2F", "?x", "#y", "../x", "..%2F..", "a\\b", "x y", "\u202e", "%00"]


def path_fields(name: str) -> list[str]:
    """The arguments that go into a path: the tool's operation's `{param}`s, or for a tool without one, any
    argument named like a catalog path parameter."""
    operation = SPECS[name].operation
    params = set(operation.param_names) if operation is not None else PATH_PARAMS
    return [field for field in SCHEMAS[name]["properties"] if to_camel(field) in params]


def one_segment_each(switch: SandboxSwitch, param: str, value: str) -> None:
    """Every request performs a catalog operation with exactly its template's segments; the value, where the
    parameter is in the path, decodes back to exactly what was given."""
    for request in switch.requests:
        if request.url.path == "/oauth2/token":
            continue
        operation = operation_of(request)
        assert operation is not None, f"{request.method} {request.url.raw_path!r} has more segments than any operation"
        parts = operation.split(" ", 1)[1].split("/")
        sent = request.url.raw_path.decode().split("?", 1)[0].split("/")
        if f"{{{param}}}" in parts:
            assert unquote(sent[parts.index(f"{{{param}}}")]) == value


@pytest.mark.parametrize("name", [name for name in TOOLS if path_fields(name)])
def test_identifiers_travel_as_one_path_segment(portal, client, switch, name):
    for field in path_fields(name):
        param = to_camel(field)
        for value in REFUSED_SEGMENTS + TRICKY_SEGMENTS:
            switch.requests.clear()
            result = portal.call(call, client, name, {**example(name), field: value})
            assert_no_crash(result)
            assert all(value not in request.url.raw_path.decode().split("/") for request in switch.requests)
            if value in REFUSED_SEGMENTS and SPECS[name].operation is not None:
                assert result.is_error and result.structured_content["error"]["errorCode"] == "invalid_arguments", field
            one_segment_each(switch, param, value)


# --- valid arguments -----------------------------------------------------------------------------


def closed(node: Any) -> Any:
    """The schema with `additionalProperties: false` on every object with properties, as the server
    validates it (the served schema leaves it out to save tokens; unknown names are refused by name)."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    shut = {key: closed(value) for key, value in node.items()}
    if "properties" in shut and "additionalProperties" not in shut:
        shut["additionalProperties"] = False
    return shut


@cache
def drawn(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments drawn from the input schema as validated, without the confirmation token (only the server
    issues those); built once per tool, as compiling a schema costs more than drawing from it."""
    schema = closed(SCHEMAS[name])
    schema["properties"].pop("confirmation_token", None)
    return from_schema(schema)


@pytest.mark.parametrize("name", TOOLS)
@settings(SETTINGS, max_examples=5)
@given(data=st.data())
def test_arguments_drawn_from_the_schema_reach_the_api_or_are_refused_naming_a_field(
    portal, client, switch, name, data
):
    arguments = data.draw(drawn(name), label="arguments")
    switch.requests.clear()
    result = portal.call(call, client, name, arguments)
    assert_no_crash(result)
    error = (result.structured_content or {}).get("error") or {}
    if error.get("errorCode") == "invalid_arguments":
        properties = set(SCHEMAS[name]["properties"])
        named = [p["field"] for p in error.get("problems", [])]
        assert all(field.split(".")[0].split("[")[0] in properties | {"(arguments)"} for field in named), named
        return
    if SPECS[name].operation is not None:
        assert any(operation_of(r) is not None for r in switch.requests), "valid arguments reach the API"
        if result.is_error and error.get("errorCode") != "precondition_failed":
            assert "operation" in error or result.structured_content.get("outcome_unknown"), error


def test_a_refusal_names_the_field_as_sent_not_the_arm_of_a_union(portal, client, switch):
    component = {"type": "BODY", "text": "Hi {{1}}", "examples": ["Anna"], "format": "TEXT"}
    template = {**example("create_whatsapp_template"), "details": {"components": [component]}}
    refused = portal.call(call, client, "create_whatsapp_template", template)
    bundle = portal.call(call, client, "create_bundle", {**example("create_bundle"), "sms_app": 12345})
    fields_named = {p["field"] for result in (refused, bundle) for p in result.structured_content["error"]["problems"]}
    assert fields_named == {"details.components[0].format", "sms_app"}
    assert switch.requests == []


# --- compact mode: the same tools behind three ---------------------------------------------------


@pytest.fixture(scope="module")
def compact(portal, switch):
    settings = load_settings(sandbox=True, toolsets=ALL_TOOLSETS, mode="compact")
    with session_in(portal, build_server(settings, transport=switch, events=receiver(), sleep=Sleeps())) as client:
        yield client


@pytest.mark.parametrize("name", TOOLS)
@settings(SETTINGS, max_examples=3)
@given(data=st.data())
def test_compact_mode_refuses_invalid_arguments_the_same_way(portal, compact, switch, name, data):
    mutation = data.draw(invalid_arguments(name), label="mutation")
    switch.requests.clear()
    result = portal.call(call, compact, "call_operation", {"name": name, "arguments": mutation.arguments})
    assert_no_crash(result)
    error = result.structured_content["error"]
    assert error["errorCode"] == "invalid_arguments", error
    assert any(names_field(problem, mutation.field) for problem in error["problems"]), (mutation, error["problems"])
    assert switch.requests == []


COMPACT_HOSTILE = [
    ("search_operations", {"query": 7}, "query"),
    ("search_operations", {"query": "x" * 301}, "query"),
    ("search_operations", {"query": "webhook", "limit": True}, "limit"),
    ("search_operations", {"query": "webhook", "limit": 10**9}, "limit"),
    ("search_operations", {"query": "webhook", "extra": 1}, "extra"),
    ("describe_operation", {"name": "../get_webhook"}, "name"),
    ("describe_operation", {"name": ["get_webhook"]}, "name"),
    ("call_operation", {"name": "get_webhook?x=1"}, "name"),
    ("call_operation", {"name": "get_webhook", "arguments": "[]"}, "arguments"),
    ("call_operation", {"name": "get_webhook", "arguments": {"webhook_id": "a", "__proto__": 1}}, "__proto__"),
    ("call_operation", {"name": "get_webhook", "arguments": {}, "project_id": "p"}, "project_id"),
]


@pytest.mark.parametrize(("tool", "arguments", "field"), COMPACT_HOSTILE)
def test_compact_tools_refuse_hostile_input_naming_the_field(portal, compact, switch, tool, arguments, field):
    switch.requests.clear()
    result = portal.call(call, compact, tool, arguments)
    assert_no_crash(result)
    error = result.structured_content["error"]
    assert error["errorCode"] == "invalid_arguments" and [p["field"] for p in error["problems"]] == [field], error
    assert switch.requests == []
