"""Lifecycles: the states a resource goes through, as data, and the timers that move it.

A family declares, per resource type, one `Lifecycle` per independent state field (a
"track": a WhatsApp sender's `state` and its pending `changes.status` move separately).
Transitions either follow a call (`on_call`: the handler asks for it by name and the
engine refuses it from a wrong state with the family's error) or happen on their own
after simulated time (`after_delay`: the review at Meta, a launch, a bundle finishing).
Each may record an activity and emit a provisioning-webhook trigger; the engine
(`resources.Resource`) does the recording, the events and the scheduling.

Several timed transitions may leave the same state: the one without an `outcome` is what
happens by default, the others only when a scenario asks for them (`Outcomes`: "the next
template review is rejected, reason X"). The reason becomes the activity's and the
event's comment, and reaches the transition's `effect`.

Timers are applied lazily, never by a background task: before each request (and on
`SandboxState.advance`) every timer due by the clock fires, in due order, stamped with
its due time, so a run is deterministic and an hour of simulated review costs nothing.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import PapiError
from .values import iso8601

if TYPE_CHECKING:
    from .resources import Resource

State = str | None  # None: the track is empty (no pending changes, say)
Effect = Callable[["Resource", "str | None"], None]


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[State, ...]
    target: State
    timed: bool
    outcome: str | None = None
    activity: str | None = None
    trigger: str | None = None
    # Changes the resource's data beyond its state (merge approved changes, store a
    # rejection reason); gets the scenario's reason, None on a default outcome.
    effect: Effect | None = None
    # The API's error for a call made from a state this transition does not leave.
    refused: Callable[[], PapiError] | None = None
    # Timed only: seconds after entering `source`; None is the state's transition delay
    # (a review). Fixed periods the API states (a 30-day grace, a name lock) set their own.
    delay: float | None = None


def _sources(source: State | tuple[State, ...]) -> tuple[State, ...]:
    return source if isinstance(source, tuple) else (source,)


def on_call(
    name: str,
    source: State | tuple[State, ...],
    target: State,
    *,
    refused: Callable[[], PapiError] | None = None,
    activity: str | None = None,
    trigger: str | None = None,
    effect: Effect | None = None,
) -> Transition:
    """A transition a handler triggers with `resource.move(name)`."""
    return Transition(name, _sources(source), target, False, None, activity, trigger, effect, refused)


def after_delay(
    name: str,
    source: State | tuple[State, ...],
    target: State,
    *,
    outcome: str | None = None,
    activity: str | None = None,
    trigger: str | None = None,
    effect: Effect | None = None,
    delay: float | None = None,
) -> Transition:
    """A transition that happens `delay` seconds after entering `source` (by default
    `SandboxState.transition_delay_seconds`, the length of a review)."""
    if delay is not None and delay < 0:
        raise ValueError(f"{name}: a delay cannot be negative")
    return Transition(name, _sources(source), target, True, outcome, activity, trigger, effect, delay=delay)


@dataclass(frozen=True)
class Lifecycle:
    track: str
    states: tuple[str, ...]
    initial: State
    transitions: tuple[Transition, ...]
    # Where `seed()` puts resources (typically the settled state: APPROVED, ACTIVE);
    # None means the initial state.
    seeded: State = None

    def __post_init__(self) -> None:
        # Declarations are checked at import, so a typo fails every test, not one request.
        known = {*self.states, None}
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.track}: transition names repeat")
        for t in self.transitions:
            if not {*t.source, t.target} <= known:
                raise ValueError(f"{self.track}.{t.name}: undeclared state")
        for state in known:
            outcomes = [(t.delay, t.outcome) for t in self.timed_from(state)]
            if len(outcomes) != len(set(outcomes)):
                raise ValueError(f"{self.track}: two timed transitions from {state} share an outcome")
        if not {self.initial, self.seeded} <= known:
            raise ValueError(f"{self.track}: undeclared initial or seeded state")

    def timed_from(self, state: State) -> list[Transition]:
        return [t for t in self.transitions if t.timed and state in t.source]

    @property
    def seeded_state(self) -> State:
        return self.seeded if self.seeded is not None else self.initial

    @property
    def outcomes(self) -> set[str]:
        return {t.outcome for t in self.transitions if t.outcome is not None}


@dataclass(frozen=True)
class Activity:
    """One entry of a resource's activity trail (`GET .../activities` items)."""

    type: str
    created: float
    author: str
    comment: str | None = None

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "created": iso8601(self.created), "author": self.author}
        if self.comment is not None:
            body["comment"] = self.comment
        return body


class Scheduler:
    """Timers in due order; each returns whether it changed anything when it fires."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[float], bool]]] = []
        self._order = itertools.count()  # equal due times fire in scheduling order

    def schedule(self, due: float, fire: Callable[[float], bool]) -> None:
        heapq.heappush(self._heap, (due, next(self._order), fire))

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def run_due(self, now: float) -> int:
        """Fire every timer due by `now`, including ones scheduled by timers firing now."""
        applied = 0
        while self._heap and self._heap[0][0] <= now:
            due, _, fire = heapq.heappop(self._heap)
            applied += fire(due)
        return applied


@dataclass
class OutcomeRule:
    project_id: str
    resource_type: str
    outcome: str
    reason: str | None
    ref: str | None  # one resource (its `ref`), or None for any of the type
    remaining: int


@dataclass
class Outcomes:
    """Scenario choices waiting for a timed decision; each is used up `count` times."""

    rules: list[OutcomeRule] = field(default_factory=list)

    def add(self, rule: OutcomeRule) -> None:
        self.rules.append(rule)

    def take(self, resource: Resource, available: Collection[str]) -> OutcomeRule | None:
        """The rule deciding this resource's next timed move, if one applies."""
        matching = [
            rule
            for rule in self.rules
            if rule.project_id == resource.project.project_id
            and rule.resource_type == resource.type.name
            and rule.outcome in available
            and rule.ref in (resource.ref, None)
        ]
        if not matching:
            return None
        # A rule naming this resource wins over one for its whole type.
        rule = min(matching, key=lambda candidate: candidate.ref is None)
        rule.remaining -= 1
        if rule.remaining == 0:
            self.rules.remove(rule)
        return rule
