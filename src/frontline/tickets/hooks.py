"""Extension points for other apps, so the tickets app never imports them.

The assistant registers its triage here. A ticket-created hook has two halves: `prepare`
runs before the create-ticket service opens its transaction (slow work such as reading
the text, so the database's write lock is not held meanwhile), and `apply` runs inside it,
after the ticket and its first message are written and before the change notice goes
out. Hooks must not raise for bad data; if `apply` does, the ticket is not created and the
caller sees the error. An optional `requester_fields` turns what `prepare` read into
fields for a requester the ticket creates (its language), saved with it rather than
updated afterwards.
"""

from collections.abc import Callable
from typing import Any

# (apply(ticket, message, prepared), prepare(workspace, subject, text) -> prepared | None,
#  requester_fields(prepared) -> dict)
_ticket_created: list[tuple[Callable[..., None], Callable | None, Callable | None]] = []


def register_ticket_created(
    apply: Callable[..., None], prepare=None, requester_fields=None
) -> None:
    if all(apply is not a for a, _, _ in _ticket_created):
        _ticket_created.append((apply, prepare, requester_fields))


def prepare_ticket(workspace, subject: str, text: str) -> list:
    return [
        prepare(workspace, subject, text) if prepare else None for _, prepare, _ in _ticket_created
    ]


def new_requester_fields(prepared: list) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for (_, _, fields_of), value in zip(_ticket_created, prepared, strict=True):
        if fields_of is not None and value is not None:
            fields |= fields_of(value)
    return fields


def ticket_created(ticket, message, prepared: list | None = None) -> None:
    prepared = prepared or [None] * len(_ticket_created)
    for (apply, _, _), value in zip(_ticket_created, prepared, strict=True):
        apply(ticket, message, value)


# A public reply to the customer was saved (inside its transaction): (message) -> None.
# The email channel sends it this way.
_reply_added: list[Callable[..., None]] = []


def register_reply_added(hook: Callable[..., None]) -> None:
    if hook not in _reply_added:
        _reply_added.append(hook)


def reply_added(message) -> None:
    for hook in _reply_added:
        hook(message)


# The customer wrote again on an existing ticket (inside its transaction): (message) ->
# None. The assistant reads a reply to its emailed answer as the customer's verdict.
_customer_wrote: list[Callable[..., None]] = []


def register_customer_wrote(hook: Callable[..., None]) -> None:
    if hook not in _customer_wrote:
        _customer_wrote.append(hook)


def customer_wrote(message) -> None:
    for hook in _customer_wrote:
        hook(message)


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


# Events just committed (the list given to `events.record`): (events) -> None. Runs after
# the transaction commits, never inside it; the email app queues notifications this way.
_events_committed: list[Callable[..., None]] = []


def register_events_committed(hook: Callable[..., None]) -> None:
    if hook not in _events_committed:
        _events_committed.append(hook)


def has_events_committed_hooks() -> bool:
    return bool(_events_committed)


def events_committed(events) -> None:
    for hook in _events_committed:
        hook(events)


# The state of a live conversation on a ticket ("bot", "waiting", "active", "offline",
# "ended"), or None: (ticket) -> str | None. The chat registers it; email and
# notifications stay quiet while the customer is in the conversation.
_conversation_state: list[Callable[..., str | None]] = []
LIVE_STATES = ("bot", "waiting", "active")


def register_conversation_state(hook: Callable[..., str | None]) -> None:
    if hook not in _conversation_state:
        _conversation_state.append(hook)


def conversation_state(ticket) -> str | None:
    for hook in _conversation_state:
        state = hook(ticket)
        if state is not None:
            return state
    return None


def in_live_conversation(ticket) -> bool:
    return conversation_state(ticket) in LIVE_STATES


# A customer is being erased (inside its transaction, before their tickets are deleted):
# (customer, ticket_ids) -> None. Apps delete what they keep about that person beyond
# the tickets' own cascade (raw emails, the virtual agent's questions, chats).
_customer_erasing: list[Callable[..., None]] = []


def register_customer_erasing(hook: Callable[..., None]) -> None:
    if hook not in _customer_erasing:
        _customer_erasing.append(hook)


def customer_erasing(customer, ticket_ids: list[int]) -> None:
    for hook in _customer_erasing:
        hook(customer, ticket_ids)


# An admin downloads what the help desk holds about a customer (the right of access):
# (customer, data) -> None; apps add their part under a key of their own.
_customer_data: list[Callable[..., None]] = []


def register_customer_data(hook: Callable[..., None]) -> None:
    if hook not in _customer_data:
        _customer_data.append(hook)


def customer_data(customer, data: dict) -> None:
    for hook in _customer_data:
        hook(customer, data)
