"""Pools of names and places drawn from faker once, then combined with numpy.

faker costs tens of microseconds a call; a million supporters draw from a few thousand pooled
values instead. Everything here is deterministic for a given locale and seed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

from ladder.domain.contact import normalise_postcode

# Country calling codes for the phone numbers of the common faker locales (default: France).
COUNTRY_CODES = {
    "fr": "33",
    "en_GB": "44",
    "en_IE": "353",
    "en_US": "1",
    "en_CA": "1",
    "de": "49",
    "nl_BE": "32",
    "fr_BE": "32",
    "nl": "31",
    "es": "34",
    "it": "39",
    "pt": "351",
}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Pools:
    first_names: list[str]
    last_names: list[str]
    towns: list[str]  # one per local group, unique
    postcodes: list[str]  # POSTCODES_PER_TOWN per town, town i owns a block
    email_domains: list[str]
    partner_names: list[str]
    country_code: str


POSTCODES_PER_TOWN = 4


def draw_pools(locale: str, seed: int, towns: int, partners: int = 15) -> Pools:
    """Draw every pool the generator needs from one seeded Faker."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    return Pools(
        first_names=_unique([fake.first_name() for _ in range(3000)]),
        last_names=_unique([fake.last_name() for _ in range(4000)]),
        towns=_unique_towns(fake, towns),
        postcodes=[
            normalise_postcode(fake.postcode()) or "00000"
            for _ in range(towns * POSTCODES_PER_TOWN)
        ],
        email_domains=_unique([fake.free_email_domain() for _ in range(200)]),
        partner_names=_unique_companies(fake, partners),
        country_code=country_code(locale),
    )


def country_code(locale: str) -> str:
    return COUNTRY_CODES.get(locale) or COUNTRY_CODES.get(locale.split("_")[0], "33")


def email_slug(text: str) -> str:
    """``Gérard-Élie`` -> ``gerard-elie``: a name as it appears in an email address."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-") or "x"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _unique_towns(fake: Faker, count: int) -> list[str]:
    names: dict[str, None] = {}
    attempts = 0
    while len(names) < count:
        town = fake.city()
        attempts += 1
        if town in names or attempts > 4 * count:
            town = f"{town} {len(names) + 1}"
        names[town] = None
    return list(names)


def _unique_companies(fake: Faker, count: int) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        names[fake.company()] = None
    return list(names)
