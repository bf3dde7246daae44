"""The sandbox's one clock: real time plus an offset that only ever grows.

By default it follows the wall clock, so an interactive session sees resources move on
their own; `advance()` jumps it forward, which is how tests (and the `/_sandbox/clock`
control) make hours pass without sleeping. A test may also inject its own time source
(`Clock(source=fake)`) and move that by hand; the offset still adds on top.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long a timed transition (a review, a launch, a bundle) takes on this clock by default:
# long enough for an interactive session to see IN_PROGRESS, short enough to see it end.
DEFAULT_TRANSITION_DELAY_SECONDS = 5.0


class Clock:
    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0

    def now(self) -> float:
        return self._source() + self._offset

    def advance(self, seconds: float) -> None:
        # Forward only: activities, events and token expiry all assume time never runs back.
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += seconds
