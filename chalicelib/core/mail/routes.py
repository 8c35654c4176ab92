"""/suppressions: the addresses Herald no longer mails, and why."""

from chalice import Blueprint

blueprint = Blueprint(__name__)
