"""The virtual agent's first answer to a new email, when the workspace chose it: the
passage that answers the question and a link to its article, sent like any reply. The
ticket then waits for the customer; whatever they write back is their verdict ("thanks"
confirms it, anything else brings a person in, as the ticket reopens)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from frontline.assistant import bot_voice, virtual_agent
from frontline.assistant.models import AssistantSettings, BotTurn
from frontline.tickets import services as tickets
from frontline.tickets.events import BOT
from frontline.tickets.models import Channel, Message, Status, Ticket


def on_ticket_created(ticket: Ticket, message: Message, _prepared=None) -> None:
    """tickets hook: queue the answer after commit (the reading takes tens of ms)."""
    if ticket.channel != Channel.EMAIL:
        return
    from frontline.assistant.services import settings_for
    from frontline.assistant.tasks import answer_email

    if settings_for(ticket.workspace_id).bot_email == AssistantSettings.EmailMode.ANSWER:
        transaction.on_commit(lambda: answer_email.enqueue(ticket.pk))


def answer_first(ticket: Ticket) -> BotTurn | None:
    """Answer the first email if nobody has answered yet and the agent is sure; the turn
    is recorded either way (a hand-over leaves the ticket to the team, unanswered)."""
    from frontline.assistant.services import settings_for

    workspace = ticket.workspace
    if not virtual_agent.on_duty(workspace, "email") or ticket.status != Status.NEW:
        return None
    if ticket.messages.exclude(author_type=Message.Author.CUSTOMER).exists():
        return None
    first = ticket.messages.order_by("pk").first()
    question = f"{ticket.subject}\n{first.body_text if first else ''}"[:1000]
    reply = virtual_agent.reply(workspace, question)
    turn = virtual_agent.record(workspace, question, reply, channel="email", ticket=ticket)
    if reply.kind != "answer" or reply.citation is None:
        return turn
    tone = settings_for(workspace.pk).bot_tone
    article = reply.citation
    url = settings.FRONTLINE_BASE_URL + reverse("hc_article", args=[workspace.slug, article.slug])
    body = "\n\n".join([
        bot_voice.say(tone, "email_intro"), reply.text,
        bot_voice.say(tone, "source", title=article.title) + f" {url}",
        bot_voice.say(tone, "email_outro"),
    ])  # fmt: skip
    tickets.reply(ticket, by=BOT, body=body, status=Status.PENDING)
    return turn


def on_customer_wrote(message: Message) -> None:
    """tickets hook: the customer's answer to the emailed answer is its verdict."""
    ticket = message.ticket
    if ticket.channel != Channel.EMAIL:
        return
    turn = BotTurn.objects.filter(
        ticket=ticket, channel="email", kind="answer", outcome=BotTurn.Outcome.OPEN
    ).first()
    if turn is not None:
        verdict = virtual_agent.verdict_in(message.body_text or "")
        virtual_agent.settle(turn, helped=bool(verdict))
