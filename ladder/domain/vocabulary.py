"""The words stored as states: one enum each, used by the models' CHECK constraints, the
use cases and the front ends alike (a ``StrEnum`` member is its own string value)."""

from __future__ import annotations

from enum import StrEnum


class SupporterStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"
    ERASED = "erased"


class Rsvp(StrEnum):
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"


class Presence(StrEnum):
    """Attended, accepted but absent (set when the event is closed), or never known."""

    ATTENDED = "attended"
    NO_SHOW = "no_show"
    UNKNOWN = "unknown"


class EventStatus(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """How someone was contacted (a contact record); invitations go by email or SMS."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    IN_PERSON = "in_person"


INVITATION_CHANNELS = (Channel.EMAIL, Channel.SMS)


class ConsentChannel(StrEnum):
    """What a person may agree to: being emailed, texted, photographed (the consent ledger)."""

    EMAIL = "email"
    SMS = "sms"
    PHOTO = "photo"


class Role(StrEnum):
    """What an API token may do: organisers read and write people, events and attendance;
    coordinators read reports and the graph."""

    ORGANISER = "organiser"
    COORDINATOR = "coordinator"


def names(vocabulary: type[StrEnum]) -> list[str]:
    """The stored values, in declaration order (for CHECK constraints, choices and messages)."""
    return [member.value for member in vocabulary]
