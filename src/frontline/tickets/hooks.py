"""Extension points for other apps, so the tickets app never imports them.

The assistant registers its triage here: it runs inside the create-ticket service, in the
same transaction, after the ticket and its first message are written and before the
change notice goes out. A hook must not raise for bad data; if it does, the ticket is not
created and the caller sees the error.
"""

from collections.abc import Callable

TicketCreatedHook = Callable[..., None]  # (ticket, message) -> None
_ticket_created: list[TicketCreatedHook] = []


def register_ticket_created(hook: TicketCreatedHook) -> None:
    if hook not in _ticket_created:
        _ticket_created.append(hook)


def ticket_created(ticket, message) -> None:
    for hook in _ticket_created:
        hook(ticket, message)


# Extra context for the agent's ticket page: (user, workspace, ticket) -> dict. The
# assistant adds its panel (why the ticket was routed, similar tickets) this way.
TicketPageHook = Callable[..., dict]
_ticket_page: list[TicketPageHook] = []


def register_ticket_page(hook: TicketPageHook) -> None:
    if hook not in _ticket_page:
        _ticket_page.append(hook)


def ticket_page_context(user, workspace, ticket) -> dict:
    extra: dict = {}
    for hook in _ticket_page:
        extra |= hook(user, workspace, ticket)
    return extra
