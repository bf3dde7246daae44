"""Large lists: 10,000 WhatsApp templates and 1,000 senders, every page followed over stdio.

Each page should come back summarised, bounded in size, with its continuation token, about as
fast as the API's own page; following all of them should not grow the server's memory with
the length of the listing (its peak resident set, read from /proc, before and after).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
from mcp import Client, StdioServerParameters

from harness import OURS, REPORT, Row, child_pid, median, ms
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID

LISTS = {  # tool, API path, resource type to seed, how many, the API's items key
    "templates": ("list_whatsapp_templates", "whatsapp/templates", "whatsapp_template", 10_000, "templates"),
    "senders": ("list_whatsapp_senders", "whatsapp/senders", "whatsapp_sender", 1_000, "senders"),
}
# Growth of the server's peak memory over a whole walk that still counts as bounded.
MAX_GROWTH_MB = 16


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError("VmHWM")


async def test_large_lists_page_by_page(sandbox):
    for _, _, resource_type, count, _ in LISTS.values():
        sandbox.seed(resource_type, count)
    env = sandbox.env()
    params = StdioServerParameters(command=OURS[0], args=OURS[1:], env=env)
    async with Client(params) as ours, httpx2.AsyncClient(base_url=sandbox.origin, timeout=30) as http:
        token = (
            await http.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET))
        ).json()["access_token"]
        server = child_pid("sinch_provisioning_mcp")
        for label, (tool, path, _, count, items_key) in LISTS.items():
            ours_times, raw_times, sizes, seen, listing = [], [], [], 0, 0
            page_token: str | None = None
            first_peak = None
            while True:
                started = time.perf_counter()
                result = await ours.call_tool(tool, {"page_token": page_token} if page_token else {})
                ours_times.append(time.perf_counter() - started)
                assert not result.is_error, result.content[0].text
                started = time.perf_counter()
                raw = await http.get(
                    f"/v1/projects/{SANDBOX_PROJECT_ID}/{path}",
                    params={"pageToken": page_token} if page_token else None,
                    headers={"Authorization": f"Bearer {token}"},
                )
                raw_times.append(time.perf_counter() - started)
                listing += len(raw.content)
                page = result.structured_content
                sizes.append(len(result.content[0].text))
                seen += len(page[items_key])
                first_peak = first_peak or peak_rss_mb(server)
                page_token = page.get("next_page_token")
                if not page_token:
                    break
            growth = peak_rss_mb(server) - first_peak
            assert seen >= count
            ratio = median(ours_times) / median(raw_times)
            REPORT.add(
                Row(
                    f"large list: {count:,} {label}",
                    f"{len(sizes)} pages of {tool}, median per page",
                    ms(median(ours_times)),
                    f"the API's own page, raw {ms(median(raw_times))}",
                    ratio,
                ),
                Row(
                    f"large list: {count:,} {label}",
                    "largest page; server peak memory growth over the walk",
                    f"{max(sizes) // 4:,} tokens; {growth:+.1f} MB",
                    f"the whole listing: {listing / 1024 / 1024:.1f} MB of API JSON",
                    target=f"growth ≤ {MAX_GROWTH_MB} MB",
                    met=growth <= MAX_GROWTH_MB,
                ),
            )
            assert growth <= MAX_GROWTH_MB, f"{label}: the server's peak memory grew {growth:.1f} MB over the walk"
