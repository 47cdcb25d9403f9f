"""Errors that services raise and views and the API turn into clear messages.

A service raises one of these before it has changed anything, or inside a transaction that is then
rolled back, so a refused or failed action leaves nothing half-saved.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action; `message` is written for the person who tried it."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class NotAllowed(DomainError):
    """The person does not hold a role that may take this action here."""


class InvalidInput(DomainError):
    """The input breaks a rule; `field_errors` says which field and why."""


class TemporarilyUnavailable(DomainError):
    """A service the action needs (the antivirus scanner) did not answer; nothing was saved and the same action
    may succeed if tried again later."""


class TransitionNotAllowed(DomainError):
    """The framework does not allow this step from the record's current state."""


class EditConflict(DomainError):
    """Someone else changed the record since this person loaded it."""


class Duplicate(DomainError):
    """The same thing was submitted twice; `existing` is what the first submission created."""

    def __init__(self, message: str, existing: object) -> None:
        super().__init__(message)
        self.existing = existing
