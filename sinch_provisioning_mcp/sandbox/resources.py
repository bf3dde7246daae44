"""Resource collections: storage, identity, listing and lifecycle for every family.

A family declares a `ResourceType` (how a resource is keyed and rendered, how lists are
ordered, filtered and paged, which fields must be unique, its lifecycles) and gets, per
project or per parent resource, a `Collection` doing the plumbing the API does the same
way everywhere: ids in the API's format (400 `invalid_id_format`), the family's 404 and
409, the list envelope with signed page tokens, filters and sorting from the query, and
for each `Resource` its activity trail, its transitions (recorded as activities and as
outbox events) and the timers of its timed transitions.

Keys: `GeneratedId` (the API mints an id, e.g. a ULID `webhookId`) or `NaturalKey`
(fields the caller chose: a WhatsApp template's name and language, a KakaoTalk sender's
`plusFriendId`, an RCS test number; no fields at all is a per-project singleton, such as
the RCS account). A resource's `ref` joins its parents' keys and its own with "/"
(`"@friend/TEMPLATE_1"`): it names the resource in outbox events and scenario rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from starlette.requests import Request

from .errors import PapiError, invalid_id_format, invalid_input, not_found
from .lifecycle import Activity, Lifecycle, Transition
from .pagination import Page, PageSizeRule
from .values import ULID, IdFormat

if TYPE_CHECKING:
    from .state import ProjectState, SandboxState

# The author of what API calls do, as the OAS examples and the Node SDK's mock server show
# it; what happens on Sinch's side (reviews, seeded history) is authored "Sinch".
API_AUTHOR = "Provisioning API user"
SINCH_AUTHOR = "Sinch"
# Every activities endpoint: 1..100 a page, 50 by default (catalog, common.pagination).
ACTIVITIES_PAGE = PageSizeRule(maximum=100, default=50)


@dataclass(frozen=True)
class GeneratedId:
    param: str  # the path parameter, named by invalid_id_format's resolution
    format: IdFormat = ULID


@dataclass(frozen=True)
class NaturalKey:
    fields: tuple[str, ...]  # () for a singleton
    # 409 when the key is taken; None when the family has no create route (seeded only).
    exists: Callable[[], PapiError] | None = None


@dataclass(frozen=True)
class Unique:
    fields: tuple[str, ...]
    error: Callable[[], PapiError]


@dataclass(frozen=True)
class Limit:
    maximum: int
    error: Callable[[], PapiError]


Match = Literal["any_of", "equals", "prefix", "contains"]


@dataclass(frozen=True)
class Filter:
    """A list query parameter. `any_of` takes repeated or comma-separated values (the
    official SDKs send both forms, depending on the API) and keeps resources whose value
    is one of them; `allowed` values are checked first, refused with `error`
    (invalid_filter_states...). `equals`, `prefix` and `contains` (case-insensitive, for
    `search`) take one string."""

    param: str
    value: Callable[[Resource], Any]
    match: Match = "any_of"
    allowed: tuple[str, ...] | None = None
    error: str = "invalid_input"


@dataclass(frozen=True)
class Sort:
    """`sortColumn` and `sortDirection` (ASC or DESC, any case) as RCS senders take them."""

    columns: Mapping[str, Callable[[Resource], Any]]
    column_param: str = "sortColumn"
    direction_param: str = "sortDirection"


@dataclass(frozen=True)
class ResourceType:
    name: str  # names the type in outbox events and the /_sandbox controls
    label: str  # "<label> not found."
    not_found_code: str
    key: GeneratedId | NaturalKey
    render: Callable[[Resource], dict[str, Any]]  # the API's representation
    items_key: str = ""  # the list envelope's key, for listed types
    page: PageSizeRule | None = None
    order: Callable[[Resource], Any] | None = None  # list order; creation order when None
    filters: tuple[Filter, ...] = ()
    sort: Sort | None = None
    unique: tuple[Unique, ...] = ()
    limit: Limit | None = None
    lifecycles: tuple[Lifecycle, ...] = ()
    created_activity: str | None = None
    created_trigger: str | None = None
    comment_trigger: str | None = None
    secret_fields: tuple[str, ...] = ()  # rendered fields never put in an event payload
    sample: Callable[[int], dict[str, Any]] | None = None  # the n-th seeded resource's data

    def key_of(self, *raw: str) -> tuple[str, ...]:
        """The stored key for path values: a generated id checked (400 invalid_id_format)
        and put in canonical form, a natural key as given."""
        if isinstance(self.key, GeneratedId):
            (text,) = raw
            canonical = self.key.format.parse(text)
            if canonical is None:
                raise invalid_id_format(self.key.param)
            return (canonical,)
        return raw

    def transition(self, name: str) -> tuple[Lifecycle, Transition]:
        for lifecycle in self.lifecycles:
            for transition in lifecycle.transitions:
                if transition.name == name:
                    return lifecycle, transition
        raise KeyError(f"{self.name} has no transition {name!r}")

    @property
    def outcomes(self) -> set[str]:
        return {outcome for lifecycle in self.lifecycles for outcome in lifecycle.outcomes}


class Container:
    """Holds collections: a project, or a resource with children (a sender's templates)."""

    def __init__(self) -> None:
        self._collections: dict[str, Collection] = {}

    @property
    def project(self) -> ProjectState:
        raise NotImplementedError

    def collection(self, type_: ResourceType) -> Collection:
        if type_.name not in self._collections:
            parent = self if isinstance(self, Resource) else None
            self._collections[type_.name] = Collection(type_, self.project, parent)
        return self._collections[type_.name]

    def _remove_children(self) -> None:
        for collection in self._collections.values():
            for child in collection:
                child.removed = True
                child._remove_children()


class Resource(Container):
    def __init__(self, collection: Collection, key: tuple[str, ...], data: dict[str, Any], created: float) -> None:
        super().__init__()
        self._home = collection
        self.key = key
        self.data = data
        self.created = created
        self.modified = created
        self.states: dict[str, str | None] = {}
        self.activities: list[Activity] = []
        self.removed = False  # deleted: its pending timers do nothing
        # Bumped on every move of a track, so a timer set for an earlier state is void.
        self._versions: dict[str, int] = {}

    @property
    def type(self) -> ResourceType:
        return self._home.type

    @property
    def project(self) -> ProjectState:
        return self._home.project

    @property
    def _sandbox(self) -> SandboxState:
        return self.project.state

    @property
    def id(self) -> str:
        return "/".join(self.key)

    @property
    def ref(self) -> str | None:
        """Its key and its parents', joined; None for a project's singleton (it needs no name)."""
        parent = self._home.parent
        parts = [*([parent.ref] if parent is not None and parent.ref else []), *self.key]
        return "/".join(parts) or None

    @property
    def state(self) -> str | None:
        """The state of the first declared lifecycle (most resources have only one)."""
        return self.states[self.type.lifecycles[0].track]

    def update(self, changes: Mapping[str, Any]) -> None:
        """Set fields (PUT/PATCH), keeping the type's unique fields unique (its 409)."""
        self._home._check_unique({**self.data, **changes}, self)
        self.data.update(changes)
        self.modified = self._sandbox.clock.now()

    def delete(self) -> None:
        """Remove it and its children; their pending timers then do nothing."""
        self._home._forget(self)
        self.removed = True
        self._remove_children()

    def snapshot(self) -> dict[str, Any]:
        """The resource as an event payload: its API representation without secrets."""
        return {k: v for k, v in self.type.render(self).items() if k not in self.type.secret_fields}

    def record(
        self,
        activity: str | None,
        *,
        trigger: str | None = None,
        comment: str | None = None,
        author: str = API_AUTHOR,
        at: float | None = None,
    ) -> Activity | None:
        """Add an activity to the trail and/or emit a webhook event, both stamped `at` (now)."""
        at = self._sandbox.clock.now() if at is None else at
        entry = None
        if activity is not None:
            entry = Activity(activity, at, author, comment)
            self.activities.append(entry)
        if trigger is not None:
            self.project.outbox.emit(
                trigger,
                self.snapshot(),
                created=at,
                resource_type=self.type.name,
                resource_id=self.ref,
                comment=comment,
            )
        return entry

    def comment(self, text: str) -> Activity:
        """`POST .../comments`: a COMMENT_ADDED activity and the type's *_COMMENT_ADDED event."""
        entry = self.record("COMMENT_ADDED", trigger=self.type.comment_trigger, comment=text)
        assert entry is not None
        return entry

    def move(self, name: str) -> None:
        """Apply the `on_call` transition `name`, or raise its `refused` error."""
        lifecycle, transition = self.type.transition(name)
        if transition.timed:
            raise ValueError(f"{name} happens on the clock, not on a call")
        if self.states[lifecycle.track] not in transition.source:
            raise transition.refused() if transition.refused else _wrong_state()
        self._apply(lifecycle, transition, self._sandbox.clock.now(), API_AUTHOR, None)

    def _apply(self, lifecycle: Lifecycle, transition: Transition, at: float, author: str, reason: str | None) -> None:
        self.states[lifecycle.track] = transition.target
        self._versions[lifecycle.track] += 1
        self.modified = at
        if transition.effect is not None:
            transition.effect(self, reason)
        self.record(transition.activity, trigger=transition.trigger, comment=reason, author=author, at=at)
        self._schedule(lifecycle, at)

    def _enter(self, lifecycle: Lifecycle, state: str | None, at: float) -> None:
        self.states[lifecycle.track] = state
        self._versions[lifecycle.track] = 0
        self._schedule(lifecycle, at)

    def _delay(self, transition: Transition) -> float:
        return self._sandbox.transition_delay_seconds if transition.delay is None else transition.delay

    def _schedule(self, lifecycle: Lifecycle, entered: float) -> None:
        """One timer per distinct delay among the timed transitions leaving the current state."""
        version = self._versions[lifecycle.track]
        for delay in sorted({self._delay(t) for t in lifecycle.timed_from(self.states[lifecycle.track])}):
            self._sandbox.scheduler.schedule(
                entered + delay, lambda when, delay=delay: self._fire(lifecycle, version, when, delay)
            )

    def _fire(self, lifecycle: Lifecycle, version: int, due: float, delay: float) -> bool:
        if self.removed or self._versions[lifecycle.track] != version:
            return False
        candidates = [t for t in lifecycle.timed_from(self.states[lifecycle.track]) if self._delay(t) == delay]
        rule = self._sandbox.outcomes.take(self, {t.outcome for t in candidates if t.outcome})
        outcome, reason = (rule.outcome, rule.reason) if rule else (None, None)
        chosen = next((t for t in candidates if t.outcome == outcome), None)
        if chosen is None:  # only scenario-driven moves leave this state, and none was asked for
            return False
        self._apply(lifecycle, chosen, due, SINCH_AUTHOR, reason)
        return True


def _wrong_state() -> PapiError:
    # For transitions declared without the API's own refusal; the code is the sandbox's.
    return PapiError(
        409, "invalid_state", "The resource is not in a state that allows this.", "Read it and retry later."
    )


class Collection:
    """The resources of one type in one project, or under one parent resource."""

    def __init__(self, type_: ResourceType, project: ProjectState, parent: Resource | None) -> None:
        self.type = type_
        self.project = project
        self.parent = parent
        self._items: dict[tuple[str, ...], Resource] = {}
        self._seeded = 0

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, *key: str) -> Resource:
        """The resource with this key (see `ResourceType.key_of`), or the type's 404."""
        try:
            return self._items[self.type.key_of(*key)]
        except KeyError:
            raise not_found(self.type.not_found_code, self.type.label) from None

    def create(self, data: dict[str, Any]) -> Resource:
        """A new resource made by an API call: its CREATED activity and event, its timers."""
        now = self.project.state.clock.now()
        resource = self._insert(data, now, {lc.track: lc.initial for lc in self.type.lifecycles})
        resource.record(self.type.created_activity, trigger=self.type.created_trigger, at=now)
        return resource

    def seed(self, count: int) -> list[Resource]:
        """`count` resources from the type's `sample`, already settled: they predate any
        webhook, so they emit no event; their history starts with a CREATED by Sinch.
        The API's rules hold (unique fields, limits): seeding stops at the first refusal."""
        if self.type.sample is None:
            raise ValueError(f"{self.type.name} declares no sample to seed from")
        created = []
        for _ in range(count):
            created.append(self.place(self.type.sample(self._seeded)))
            self._seeded += 1
        return created

    def place(self, data: dict[str, Any], *, id: str | None = None, states: Mapping[str, str] | None = None) -> Resource:
        """One resource that predates any call, like a seeded one, with a known generated
        `id` when given and chosen `states` (by track; the lifecycle's seeded state otherwise):
        the seeded project's documented fixtures, which examples and tests can name."""
        now = self.project.state.clock.now()
        chosen = {lc.track: lc.seeded_state for lc in self.type.lifecycles} | dict(states or {})
        resource = self._insert(data, now, chosen, id=id)
        resource.record(self.type.created_activity, author=SINCH_AUTHOR, at=now)
        return resource

    def _insert(self, data: dict[str, Any], now: float, states: dict[str, str | None], *, id: str | None = None) -> Resource:
        key_rule = self.type.key
        if isinstance(key_rule, GeneratedId):
            key = (key_rule.format.new(now),) if id is None else self.type.key_of(id)
            if key in self._items:
                raise ValueError(f"{self.type.name} {key} exists")
        else:
            key = tuple(str(data[name]) for name in key_rule.fields)
            if key in self._items:
                if key_rule.exists is None:
                    raise ValueError(f"{self.type.name} {key} exists")
                raise key_rule.exists()
        self._check_unique(data, None)
        if self.type.limit is not None and len(self._items) >= self.type.limit.maximum:
            raise self.type.limit.error()
        resource = Resource(self, key, data, now)
        self._items[key] = resource
        for lifecycle in self.type.lifecycles:
            resource._enter(lifecycle, states[lifecycle.track], now)
        return resource

    def _check_unique(self, data: Mapping[str, Any], own: Resource | None) -> None:
        for rule in self.type.unique:
            wanted = tuple(data.get(name) for name in rule.fields)
            others = (other for other in self._items.values() if other is not own)
            if any(tuple(other.data.get(name) for name in rule.fields) == wanted for other in others):
                raise rule.error()

    def _forget(self, resource: Resource) -> None:
        del self._items[resource.key]

    def ordered(self) -> list[Resource]:
        items = list(self._items.values())
        return sorted(items, key=self.type.order) if self.type.order else items


@dataclass(frozen=True)
class Listing:
    """A list request's page, filters and sort, all checked before any lookup (the API
    validates its input first: a bad pageSize is 400 even for a missing parent)."""

    type: ResourceType
    page: Page
    filters: tuple[tuple[Filter, Any], ...]
    sort: tuple[Callable[[Resource], Any], bool] | None

    @classmethod
    def parse(cls, request: Request, type_: ResourceType) -> Listing:
        assert type_.page is not None, f"{type_.name} is not listed"
        page = Page.parse(request, type_.page)
        filters = []
        for rule in type_.filters:
            wanted = _filter_value(request, rule)
            if wanted is not None:
                filters.append((rule, wanted))
        return cls(type_, page, tuple(filters), _sort(request, type_.sort))

    def render(self, collection: Collection) -> dict[str, Any]:
        items = [
            item for item in collection.ordered() if all(_matches(rule, wanted, item) for rule, wanted in self.filters)
        ]
        if self.sort is not None:
            key, descending = self.sort
            items.sort(key=key, reverse=descending)
        return self.page.render(items, self.type.items_key, self.type.render)


def _filter_value(request: Request, rule: Filter) -> Any:
    if rule.match != "any_of":
        return request.query_params.get(rule.param) or None
    values = [part for raw in request.query_params.getlist(rule.param) for part in raw.split(",") if part]
    if not values:
        return None
    refused = [value for value in values if rule.allowed is not None and value not in rule.allowed]
    if refused:
        raise PapiError(
            400,
            rule.error,
            f"Invalid {rule.param}: {', '.join(refused)}.",
            f"Use one or more of: {', '.join(rule.allowed or ())}.",
        )
    return frozenset(values)


def _matches(rule: Filter, wanted: Any, resource: Resource) -> bool:
    value = rule.value(resource)
    if rule.match == "any_of":
        return value in wanted
    if not isinstance(value, str):
        return False
    if rule.match == "equals":
        return value == wanted
    if rule.match == "prefix":
        return value.startswith(wanted)
    return wanted.casefold() in value.casefold()  # contains


def _sort(request: Request, sort: Sort | None) -> tuple[Callable[[Resource], Any], bool] | None:
    if sort is None:
        return None
    column = request.query_params.get(sort.column_param)
    direction = request.query_params.get(sort.direction_param, "ASC").upper()
    problems = []
    if column is not None and column not in sort.columns:
        problems.append(f"{sort.column_param} must be one of the following values: {', '.join(sort.columns)}")
    if direction not in ("ASC", "DESC"):
        problems.append(f"{sort.direction_param} must be one of the following values: ASC, DESC")
    if problems:
        raise invalid_input(problems)
    return (sort.columns[column], direction == "DESC") if column is not None else None


def activities_page(page: Page, resource: Resource) -> dict[str, Any]:
    """`GET .../activities` (page parsed with ACTIVITIES_PAGE before the lookup): the
    trail newest first, ties going to the later entry."""
    trail = resource.activities
    order = sorted(range(len(trail)), key=lambda i: (trail[i].created, i), reverse=True)
    newest_first = [trail[i] for i in order]
    return page.render(newest_first, "notifications", Activity.public)
