"""The links Herald's mails carry: one-click unsubscribe and mute."""

from chalice import Blueprint

blueprint = Blueprint(__name__)
