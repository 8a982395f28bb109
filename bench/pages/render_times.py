"""Server time of the main agent and customer pages on the demo workspace (2,000 tickets).

    FRONTLINE_DATA_DIR=/tmp/fl-pages .venv/bin/frontline migrate
    FRONTLINE_DATA_DIR=/tmp/fl-pages .venv/bin/frontline seed-demo
    FRONTLINE_DATA_DIR=/tmp/fl-pages .venv/bin/python bench/pages/render_times.py

Each page is rendered 30 times in-process through Django's request handler (test client,
no network); prints median and p95 in ms and the number of SQL queries.
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from frontline.accounts.models import User  # noqa: E402
from frontline.tickets.models import Customer, Ticket  # noqa: E402

RUNS = 30


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(ctx.captured_queries)


def main() -> None:
    amara = Client()
    amara.force_login(User.objects.get(email="amara@demo.frontline.test"))
    owner = Client()
    owner.force_login(User.objects.get(email="owner@demo.frontline.test"))
    ticket = Ticket.objects.order_by("-number").first()
    busiest = max(Ticket.objects.all()[:300], key=lambda t: t.messages.count())
    customer = Customer.objects.order_by("pk").first()
    open_ticket = Ticket.objects.filter(status__in=["new", "open"]).order_by("-number").first()
    pages = [
        (amara, "inbox: My open tickets", "/w/demo/"),
        (amara, "inbox: All open", "/w/demo/?view=open"),
        (amara, "inbox: Solved", "/w/demo/?view=solved"),
        (amara, "inbox: search 'card'", "/w/demo/?view=open&q=card"),
        (amara, "ticket (newest)", f"/w/demo/tickets/{ticket.number}/"),
        (
            amara,
            f"ticket (most messages: {busiest.messages.count()})",
            f"/w/demo/tickets/{busiest.number}/",
        ),
        (
            amara,
            "ticket (open: assistant panel, similar tickets)",
            f"/w/demo/tickets/{open_ticket.number}/",
        ),
        (amara, "customers", "/w/demo/customers/"),
        (amara, "customer profile", f"/w/demo/customers/{customer.pk}/"),
        (owner, "settings (owner)", "/w/demo/settings/"),
        (owner, "assistant (owner)", "/w/demo/assistant/"),
        (Client(), "help center sign-in", "/support/demo/"),
        (Client(), "web form", "/support/demo/new/"),
    ]
    print(f"tickets: {Ticket.objects.count()}, customers: {Customer.objects.count()}")
    print("| page | median ms | p95 ms | queries |\n|---|---|---|---|")
    for client, name, url in pages:
        median, p95, queries = measure(client, url)
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
