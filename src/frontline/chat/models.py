"""Live chat: the widget's settings, and one session per conversation.

A conversation is a ticket with channel *chat* (its messages are the ticket's messages),
so search, assignment, feedback and reports treat it like any other request. The session
adds what only a live conversation has: who is in it now, where it is in the hand-over
(virtual agent → waiting → with an agent → ended, or offline), and read receipts.
"""

import secrets

from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace


def new_key() -> str:
    return secrets.token_urlsafe(18)


class ChatSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    # Public: it sits in the widget's <script> tag on the customer's site.
    key = models.CharField(max_length=40, unique=True, default=new_key)
    # Sites allowed to open the widget's connection ("https://www.example.com"); the
    # help desk's own address is always allowed.
    allowed_origins = models.JSONField(default=list, blank=True)
    bot_enabled = models.BooleanField(default=True)
    bot_name = models.CharField(max_length=60, default="Virtual assistant")
    greeting = models.CharField(
        max_length=300, default="Hello! Ask me a question, or ask for a person at any time."
    )
    ask_details = models.BooleanField(default=False)  # name and email before chatting
    capacity = models.PositiveSmallIntegerField(default=3)  # chats per agent at once
    # A chat routed to an agent who has not answered in this many minutes goes to another
    # agent with room (0: never).
    reroute_after = models.PositiveSmallIntegerField(default=3)


class ChatSession(models.Model):
    class State(models.TextChoices):
        BOT = "bot", "With the virtual agent"
        WAITING = "waiting", "Waiting for an agent"
        ACTIVE = "active", "With an agent"
        OFFLINE = "offline", "Left as a request (no agent available)"
        ENDED = "ended", "Ended"

    LIVE = (State.BOT, State.WAITING, State.ACTIVE)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="chat"
    )
    customer = models.ForeignKey(
        "tickets.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.BOT)
    visitor_name = models.CharField(max_length=200, blank=True)
    visitor_email = models.EmailField(blank=True)
    page_url = models.CharField(max_length=500, blank=True)
    handover_reason = models.CharField(max_length=200, blank=True)
    # The last message id each side has seen (read receipts).
    visitor_read = models.BigIntegerField(default=0)
    agent_read = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    waiting_since = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Given to its agent by routing (not taken by them): passed on if it goes unanswered.
    routed = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "state"])]


class BotReply(models.Model):
    """The virtual agent's turn behind a bot message: its source article, its verdict."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="bot_reply"
    )
    turn = models.ForeignKey("assistant.BotTurn", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # answer, clarify, handover


class VisitorSend(models.Model):
    """The widget's own id for a message it sent (`client_id`): when it sends again after
    a lost answer or a reconnect, the stored message is found instead of stored twice."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    message = models.ForeignKey("tickets.Message", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "client_id"], name="chat_sent_once")
        ]
