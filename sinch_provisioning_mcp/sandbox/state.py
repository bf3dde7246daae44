"""All of the sandbox's in-memory state, and the Python side of its controls.

One `SandboxState` holds the clock, the token authority, the timers of timed transitions,
the scenario outcomes, the faults, and one `ProjectState` per project (its collections
and its event outbox). Time comes only from `clock`, so tests move it instead of sleeping.

Controls (the same over HTTP under `/_sandbox`, see `controls.py`):
- `advance(seconds)`: move the clock and apply every transition now due;
- `set_outcome(...)`: decide how a coming timed transition ends ("rejected", a reason);
- `seed(...)`: add many resources at once (large-list benchmarks);
- `faults`: switch failures on and off (`faults.py`);
- `canaries`: plant canaries in every answer (`canaries.py`, tests only);
- `project(id).outbox` and `wait_for_events(...)`: read, or wait for, webhook events.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator

from .canaries import Canaries
from .clock import DEFAULT_TRANSITION_DELAY_SECONDS, Clock
from .events import Event, Outbox
from .faults import FaultInjector
from .lifecycle import OutcomeRule, Outcomes, Scheduler
from .resources import Container, Resource, ResourceType
from .tokens import DEFAULT_LIFETIME_SECONDS, TokenAuthority

SANDBOX_PROJECT_ID = "sandbox-project"


class ProjectState(Container):
    def __init__(self, state: SandboxState, project_id: str) -> None:
        super().__init__()
        self.state = state
        self.project_id = project_id
        self.outbox = Outbox()
        # What the deliverer did with each event (delivery.py), the latest kept.
        self.deliveries: deque = deque(maxlen=1000)

    @property
    def project(self) -> ProjectState:
        return self


class SandboxState:
    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        token_lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
        transition_delay_seconds: float = DEFAULT_TRANSITION_DELAY_SECONDS,
        fault_seed: int | None = None,
    ) -> None:
        if transition_delay_seconds < 0:
            raise ValueError("transition delay cannot be negative")
        self.clock = Clock(clock)
        self.tokens = TokenAuthority(self.clock, token_lifetime_seconds)
        # Signs page tokens, so a token this state did not issue is refused.
        self.page_token_key = secrets.token_bytes(32)
        self.transition_delay_seconds = transition_delay_seconds
        self.scheduler = Scheduler()
        self.outcomes = Outcomes()
        self.faults = FaultInjector(seed=fault_seed)
        # Planted values in every answer, for the reliability suite; None (off) by default.
        self.canaries: Canaries | None = None
        self._projects: dict[str, ProjectState] = {}

    def project(self, project_id: str) -> ProjectState:
        """Any project id is served; its store appears on first use."""
        if project_id not in self._projects:
            self._projects[project_id] = ProjectState(self, project_id)
        return self._projects[project_id]

    def projects(self) -> Iterator[ProjectState]:
        return iter(list(self._projects.values()))

    def settle(self) -> int:
        """Apply every timed transition due by now, in due order; how many were applied."""
        return self.scheduler.run_due(self.clock.now())

    def advance(self, seconds: float) -> int:
        self.clock.advance(seconds)
        return self.settle()

    def set_outcome(
        self,
        project_id: str,
        resource_type: ResourceType,
        outcome: str,
        *,
        reason: str | None = None,
        ref: str | None = None,
        count: int = 1,
    ) -> None:
        """The next `count` timed decisions of `resource_type` (of the resource `ref`, or
        any) that can end in `outcome` end in it, with `reason` as the comment."""
        if outcome not in resource_type.outcomes:
            raise ValueError(f"{resource_type.name} has no outcome {outcome!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self.outcomes.add(OutcomeRule(project_id, resource_type.name, outcome, reason, ref, count))

    def seed(self, project_id: str, resource_type: ResourceType, count: int) -> list[Resource]:
        return self.project(project_id).collection(resource_type).seed(count)

    async def wait_for_events(self, project_id: str, after: int) -> list[Event]:
        """The project's events after sequence `after`, waiting for one if there are none.

        Wakes on a new event, and at the next timer's due time (when the clock follows
        real time, that is when a transition happens without any request). Bound it with
        `anyio.fail_after` or `move_on_after`.
        """
        outbox = self.project(project_id).outbox
        while True:
            self.settle()
            events = outbox.after(after)
            if events:
                return events
            due = self.scheduler.next_due()
            await outbox.wait(math.inf if due is None else max(due - self.clock.now(), 0.0))
