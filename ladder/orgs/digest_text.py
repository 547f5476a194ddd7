"""A digest as the text of a mail (plain text or HTML), in French or English.

The organiser reads it, adds a personal word and sends it: the text says "we" for the
movement and "your people" for the partner's. Dates are the movement's local dates.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from typing import Any

from ladder.clock import to_local
from ladder.orgs.digest import Digest

LANGUAGES = ("en", "fr")
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "{org}: our news from {since} to {until}",
        "hello": "Hello,",
        "intro": "Here is what happened with {org} and the movement from {since} to {until}.",
        "colon": ": ",
        "events": "Events your people came to",
        "came": "{n} of your people",
        "no_events": "None of your people came to an event in this period.",
        "partnered": "Events we organised together",
        "present": "{n} present",
        "campaigns": "Campaigns",
        "campaign": "{name}: {count} / {what} ({share}), +{added} in the period",
        "reached": "goal reached",
        "projected": "at this pace, reached on {day}",
        "figures": "The movement in figures",
        "people": "{n} people in the movement, {engaged} of them active in the period",
        "new_people": "{n} people joined",
        "events_held": "{n} events held, {attended} presences",
        "key_dates": "Next key dates",
        "no_key_dates": "No key date planned yet.",
        "thanks": "Thank you for your support.",
    },
    "fr": {
        "subject": "{org} : nos nouvelles du {since} au {until}",
        "hello": "Bonjour,",
        "intro": "Voici ce qui s'est passé avec {org} et le mouvement du {since} au {until}.",
        "colon": " : ",
        "events": "Les événements où vos membres sont venus",
        "came": "{n} de vos membres",
        "no_events": "Aucun de vos membres n'est venu à un événement sur cette période.",
        "partnered": "Les événements organisés ensemble",
        "present": "{n} présents",
        "campaigns": "Les campagnes",
        "campaign": "{name} : {count} / {what} ({share}), +{added} sur la période",
        "reached": "objectif atteint",
        "projected": "à ce rythme, atteint le {day}",
        "figures": "Le mouvement en chiffres",
        "people": "{n} personnes dans le mouvement, dont {engaged} actives sur la période",
        "new_people": "{n} personnes nous ont rejoints",
        "events_held": "{n} événements, {attended} présences",
        "key_dates": "Les prochaines dates clés",
        "no_key_dates": "Pas encore de date clé prévue.",
        "thanks": "Merci pour votre soutien.",
    },
}


def digest_sections(digest: Digest, lang: str, zone: tzinfo) -> tuple[str, list[Any]]:
    """The subject, and the body as (heading or None, [lines]) sections."""
    w = WORDS[lang]

    def day(moment: datetime) -> str:
        local = to_local(moment, zone)
        return local.strftime("%d/%m/%Y") if lang == "fr" else local.strftime("%Y-%m-%d")

    def number(n: int) -> str:
        return f"{n:,}".replace(",", "\u202f" if lang == "fr" else ",")

    span = {"org": digest.org.name, "since": day(digest.since), "until": day(digest.until)}
    sections: list[Any] = [(None, [w["hello"], w["intro"].format(**span)])]
    came = [
        f"{day(e['starts'])} {e['title']}{w['colon']}{w['came'].format(n=number(e['people']))}"
        for e in reversed(digest.attended)
    ]
    sections.append((w["events"], came or [w["no_events"]]))
    if digest.partnered:
        together = [
            f"{day(e['starts'])} {e['title']}{w['colon']}"
            + w["present"].format(n=number(e["attended"]))
            for e in digest.partnered
        ]
        sections.append((w["partnered"], together))
    lines = [_campaign_line(c, w, number, lang) for c in digest.campaigns if c["count"] is not None]
    if lines:
        sections.append((w["campaigns"], lines))
    f = digest.figures
    sections.append(
        (
            w["figures"],
            [
                w["people"].format(n=number(f["people"]), engaged=number(f["engaged"])),
                w["new_people"].format(n=number(f["new_people"])),
                w["events_held"].format(n=number(f["events_held"]), attended=number(f["attended"])),
            ],
        )
    )
    dates = [
        f"{day(k['starts'])} {k['title']}" + (f" ({k['place']})" if k["place"] else "")
        for k in digest.key_dates
    ]
    sections.append((w["key_dates"], dates or [w["no_key_dates"]]))
    sections.append((None, [w["thanks"]]))
    return w["subject"].format(**span), sections


def _campaign_line(campaign: dict[str, Any], w: dict[str, str], number: Any, lang: str) -> str:
    share = campaign["share"]
    shown = "" if share is None else f"{100 * share:.0f}\u202f%" if lang == "fr" else f"{share:.0%}"
    if campaign["goal"] is None:
        return f"{campaign['campaign']}{w['colon']}{number(campaign['count'])} {campaign['what']}"
    line = w["campaign"].format(
        name=campaign["campaign"],
        count=number(campaign["count"]),
        what=campaign["what"],
        share=shown,
        added=number(campaign["added"]),
    )
    if campaign["reached"]:
        return f"{line}; {w['reached']}"
    if campaign["projected_date"] is not None:
        projected = campaign["projected_date"]
        day = projected.strftime("%d/%m/%Y") if lang == "fr" else projected.isoformat()
        return f"{line}; {w['projected'].format(day=day)}"
    return line


def digest_text(digest: Digest, lang: str, zone: tzinfo) -> str:
    subject, sections = digest_sections(digest, lang, zone)
    out = [subject, "=" * len(subject), ""]
    for heading, lines in sections:
        if heading is None:
            out += [*lines, ""]
        else:
            out += [heading, *(f"- {line}" for line in lines), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def digest_html(digest: Digest, lang: str, zone: tzinfo) -> str:
    subject, sections = digest_sections(digest, lang, zone)
    body = [f"<h1>{escape(subject)}</h1>"]
    for heading, lines in sections:
        if heading is None:
            body += [f"<p>{escape(line)}</p>" for line in lines]
        else:
            items = "".join(f"<li>{escape(line)}</li>" for line in lines)
            body += [f"<h2>{escape(heading)}</h2>", f"<ul>{items}</ul>"]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
