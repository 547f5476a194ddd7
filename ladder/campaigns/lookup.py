"""Finding a campaign from the name a user typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from ladder.domain.names import close_names, fold
from ladder.errors import NotFoundError
from ladder.storage.models import Campaign


@dataclass(frozen=True)
class CampaignRef:
    id: int
    name: str
    starts_on: date | None
    ends_on: date | None


def find_campaign(connection: Connection, name: str) -> CampaignRef:
    """The campaign called ``name`` (case and accents ignored when only one fits), or
    NotFoundError naming close ones."""
    typed = name.strip()
    query = select(Campaign.id, Campaign.name, Campaign.starts_on, Campaign.ends_on)
    row = connection.execute(query.where(Campaign.name == typed)).first()
    if row is not None:
        return CampaignRef(*row)
    names = list(connection.execute(select(Campaign.name).order_by(Campaign.name)).scalars())
    same = [n for n in names if fold(n) == fold(typed)]
    if len(same) == 1:
        return CampaignRef(*connection.execute(query.where(Campaign.name == same[0])).one())
    raise NotFoundError(f"unknown campaign {typed!r}{campaign_hint(typed, names)}")


def campaign_hint(name: str, names: list[str]) -> str:
    """What to say after "unknown campaign": the close names, else a few that exist."""
    close = close_names(name, names)
    if close:
        return f" (did you mean {', '.join(close)}?)"
    if names:
        return f" (campaigns: {', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"
    return " (there are no campaigns yet: `ladder campaigns add` creates one)"
