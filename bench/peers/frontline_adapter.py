"""Frontline adapter for the peers harness (shared/peers/harness/adapter.py).

login       : a personal API token (the harness's --password; --user is the e-mail it
              belongs to), sent as a bearer header, then GET /api/users/me to prove it.
              A token is how scripts and integrations call the API; it is checked with
              one indexed lookup + SHA-256 per request (no password hashing).
create      : POST /api/tickets  {subject, body, requester_email, team, priority} -> 201
search      : GET /api/tickets?q=<word>&limit=25 (all tickets, ranked, with the total)
list_open   : GET /api/tickets?q=status:open&order=-updated_at&limit=25
ticket_text : GET /api/tickets/<number>: subject + every message (hit verification only)

Priorities 1-5 map to urgent/high/normal/low/low, queues to team slugs (seed.py makes
the five queues teams), statuses open/reopened -> open. Ids are ticket numbers.
Run through run_harness.py, which registers this module as `adapters.frontline`.
"""

from __future__ import annotations

from harness.adapter import BaseAdapter, Item, ListResult, SearchResult

PRIORITY = {1: "urgent", 2: "high", 3: "normal", 4: "low", 5: "low"}


class Adapter(BaseAdapter):
    name = "frontline"

    async def login(self, client):
        client.headers["Authorization"] = f"Bearer {self.password}"
        await self.get(client, "/api/users/me", step="login.me")

    async def create_ticket(self, client, t):
        body = {
            "subject": t["title"],
            "body": t["description"],
            "requester_email": t["submitter_email"],
            "team": t["queue"],
            "priority": PRIORITY[t["priority"]],
        }
        r = await self.post(client, "/api/tickets", step="create.api", json=body, expect=(201,))
        return r.json()["number"]

    async def _page(self, client, params, step):
        j = (await self.get(client, "/api/tickets", params=params, step=step)).json()
        items = [
            Item(id=t["number"], title=t["subject"], is_open=t["status"] == "open")
            for t in j["items"]
        ]
        return j["count"], items

    async def search(self, client, word):
        total, items = await self._page(client, {"q": word, "limit": self.page_size}, "search.api")
        return SearchResult(total=total, items=items)

    async def list_open(self, client):
        params = {"q": "status:open", "order": "-updated_at", "limit": self.page_size}
        total, items = await self._page(client, params, "list.api")
        return ListResult(total=total, items=items)

    async def ticket_text(self, client, ticket_id):
        j = (await self.get(client, f"/api/tickets/{ticket_id}", step="ticket.api")).json()
        return "\n".join([j["subject"], *(m["body_text"] for m in j["messages"])]).lower()

    def info(self):
        return {"system": self.name, **self.options}
