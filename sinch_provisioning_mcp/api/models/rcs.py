"""RCS."""

from __future__ import annotations

# GET /rcs/activities: pageSize 1..100.
RCS_ACTIVITY_PAGE_MAX = 100
