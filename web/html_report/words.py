"""The report's words in English and French, and numbers and dates written each way.

Every string the page shows is a key here (the movement's own names, of rungs, campaigns,
groups and people, are shown as they are stored). ``2,650`` in English, ``2 650`` in French
(a narrow no-break space, as French typography and CLDR write it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ladder.errors import MisuseError

LANGUAGES = ("en", "fr")
THIN = "\u202f"  # narrow no-break space: the French thousands separator
NBSP = "\u00a0"

CATALOGUE: dict[str, dict[str, str]] = {
    "title": {"en": "Movement report", "fr": "Rapport du mouvement"},
    "everywhere": {"en": "all local groups", "fr": "tous les groupes locaux"},
    "group": {"en": "local group {name}", "fr": "groupe local {name}"},
    "from_to": {"en": "from {since} to {until}", "fr": "du {since} au {until}"},
    "up_to": {"en": "up to {until}", "fr": "jusqu'au {until}"},
    "contents": {"en": "Contents", "fr": "Sommaire"},
    "no_data": {"en": "Nothing to show yet.", "fr": "Rien à montrer pour l'instant."},
    "footer": {
        "en": "Rungs and lapsed people are as of today; the other figures cover the window. "
        "Erased and merged records are never counted.",
        "fr": "Les rangs et les personnes inactives sont ceux d'aujourd'hui ; les autres chiffres "
        "couvrent la période. Les fiches effacées ou fusionnées ne sont jamais comptées.",
    },
    # sections
    "headline": {"en": "Headline figures", "fr": "Chiffres clés"},
    "rungs_chart": {"en": "Active people on each rung", "fr": "Personnes actives à chaque rang"},
    "campaigns": {"en": "Campaigns", "fr": "Campagnes"},
    "recruiters": {"en": "Top recruiters", "fr": "Meilleurs recruteurs"},
    "groups": {"en": "Local groups compared", "fr": "Groupes locaux comparés"},
    "funnel": {"en": "The funnel over time", "fr": "L'entonnoir dans le temps"},
    "cohorts": {"en": "Cohorts", "fr": "Cohortes"},
    "events": {"en": "Events and show rates", "fr": "Événements et taux de présence"},
    "partners": {"en": "Which partners came", "fr": "Les partenaires présents"},
    # headline figures
    "fig:people": {"en": "people in the base", "fr": "personnes dans la base"},
    "fig:engaged": {"en": "engaged people", "fr": "personnes engagées"},
    "fig:rung": {"en": "active on {rung}", "fr": "actives au rang {rung}"},
    "fig:lapsed": {"en": "lapsed today", "fr": "inactives aujourd'hui"},
    "fig:events_held": {"en": "events held", "fr": "événements tenus"},
    "fig:key_date_events": {"en": "of them on a key date", "fr": "dont lors d'une date clé"},
    "fig:attended": {"en": "presences at events", "fr": "présences aux événements"},
    "fig:new_people": {"en": "new people", "fr": "nouvelles personnes"},
    "fig:recruited": {
        "en": "of them brought by a supporter",
        "fr": "dont amenées par un·e sympathisant·e",
    },
    "fig:recruiters": {"en": "recruiters", "fr": "recruteurs et recruteuses"},
    # campaigns
    "campaign": {"en": "Campaign", "fr": "Campagne"},
    "goal": {"en": "Goal", "fr": "Objectif"},
    "progress": {"en": "Progress", "fr": "Avancement"},
    "target": {"en": "Target", "fr": "Cible"},
    "pace": {"en": "Per day (30 days)", "fr": "Par jour (30 jours)"},
    "projected": {"en": "Reached or projected", "fr": "Atteint ou prévu"},
    "never": {"en": "not at this pace", "fr": "pas à ce rythme"},
    "share_of_goal": {"en": "Share of the goal", "fr": "Part de l'objectif"},
    "no_campaigns": {"en": "No campaign with a goal.", "fr": "Aucune campagne avec un objectif."},
    # recruiters
    "rank": {"en": "#", "fr": "n°"},
    "name": {"en": "Name", "fr": "Nom"},
    "direct": {"en": "Direct recruits", "fr": "Recrues directes"},
    "reach": {"en": "Tree size", "fr": "Taille de l'arbre"},
    "climbers": {"en": "Climbers", "fr": "Ont progressé"},
    "depth": {"en": "Depth", "fr": "Profondeur"},
    "reach_chart": {
        "en": "Recruits at any depth (the size of each one's tree)",
        "fr": "Recrues à toute profondeur (la taille de l'arbre de chacun·e)",
    },
    "recruiters_note": {
        "en": "The trees as they are today: recruits at any depth who joined since the "
        "report's start, up to today (as ladder recruiters top --by reach --since).",
        "fr": "Les arbres tels qu'ils sont aujourd'hui : les recrues à toute profondeur "
        "arrivées depuis le début du rapport, jusqu'à aujourd'hui (comme ladder recruiters "
        "top --by reach --since).",
    },
    "no_recruiters": {"en": "Nobody has recruited yet.", "fr": "Personne n'a encore recruté."},
    # partners
    "organisation": {"en": "Organisation", "fr": "Organisation"},
    "member": {"en": "Member", "fr": "Membre"},
    "member_yes": {"en": "yes", "fr": "oui"},
    "member_no": {"en": "no", "fr": "non"},
    "member_unknown": {"en": "", "fr": ""},
    "came": {"en": "Came", "fr": "Venues"},
    "partnered": {"en": "Co-organised", "fr": "Co-organisés"},
    "partners_chart": {
        "en": "Presences of each partner's people at the events",
        "fr": "Présences des personnes de chaque partenaire aux événements",
    },
    "partners_members": {
        "en": "Members: {came} of {organisations} had people there ({presences} presences).",
        "fr": "Membres : {came} sur {organisations} représentés ({presences} présences).",
    },
    "partners_others": {
        "en": "Non-members or not said: {came} of {organisations} had people there "
        "({presences} presences).",
        "fr": "Non-membres ou non précisé : {came} sur {organisations} représentés "
        "({presences} présences).",
    },
    # groups
    "group_col": {"en": "Group", "fr": "Groupe"},
    "people": {"en": "People", "fr": "Personnes"},
    "engaged": {"en": "Engaged", "fr": "Engagées"},
    "events_held": {"en": "Events", "fr": "Événements"},
    "attended": {"en": "Presences", "fr": "Présences"},
    "no_group": {"en": "(no group)", "fr": "(sans groupe)"},
    "groups_chart": {
        "en": "Active people on each rung, by group",
        "fr": "Personnes actives à chaque rang, par groupe",
    },
    # funnel
    "period": {"en": "Period", "fr": "Période"},
    "lapsed": {"en": "Lapsed", "fr": "Inactives"},
    "joined": {"en": "Joined", "fr": "Arrivées"},
    "up": {"en": "Up", "fr": "Montées"},
    "down": {"en": "Down", "fr": "Descentes"},
    "funnel_chart": {
        "en": "Active people on each rung at the end of each {every}",
        "fr": "Personnes actives à chaque rang à la fin de chaque {every}",
    },
    "week": {"en": "week", "fr": "semaine"},
    "month": {"en": "month", "fr": "mois"},
    # cohorts
    "cohort": {"en": "Joined in", "fr": "Arrivée en"},
    "within": {"en": "{rung} within {days} days", "fr": "{rung} en {days} jours"},
    "median_days": {"en": "{rung}: median days", "fr": "{rung} : jours (médiane)"},
    "cohorts_chart": {
        "en": "Share of each cohort who reached {rung}",
        "fr": "Part de chaque cohorte arrivée au rang {rung}",
    },
    "cohorts_note": {
        "en": "Blank: the cohort is not that many days old yet.",
        "fr": "Vide : la cohorte n'a pas encore cet âge.",
    },
    # events
    "kind": {"en": "Kind of event", "fr": "Type d'événement"},
    "accepted": {"en": "Accepted", "fr": "Inscrites"},
    "no_show": {"en": "No-shows", "fr": "Absentes"},
    "walk_ins": {"en": "Walk-ins", "fr": "Sans invitation"},
    "show_rate": {"en": "Show rate", "fr": "Taux de présence"},
    "first_timers": {"en": "First-timers", "fr": "Premières fois"},
    "climbed_after": {"en": "Then climbed", "fr": "Ont ensuite progressé"},
    "show_chart": {
        "en": "Show rate by kind of event (present among those who accepted)",
        "fr": "Taux de présence par type d'événement (présentes parmi les inscrites)",
    },
    "groups_more": {
        "en": "The largest groups: {charted} in the chart, {tabled} in the table, of {total}.",
        "fr": "Les plus grands groupes : {charted} dans le graphique, {tabled} dans le "
        "tableau, sur {total}.",
    },
}

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
}


def language_of(lang: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``lang`` when given (``fr`` or ``en``), else the locale's: ``LC_ALL``, ``LC_MESSAGES``
    then ``LANG`` starting with ``fr`` gives French, anything else English."""
    if lang is not None:
        chosen = lang.strip().lower()
        if chosen not in LANGUAGES:
            raise MisuseError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
        return chosen
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


@dataclass(frozen=True)
class Words:
    lang: str

    def __call__(self, key: str, **values: object) -> str:
        words = CATALOGUE[key]
        text = words[self.lang]
        return text.format(**values) if values else text

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        """``2,650`` / ``2 650``; ``1.5`` / ``1,5``; an em dash for no value."""
        if value is None:
            return "—"
        text = f"{value:,.{decimals}f}"
        if self.lang == "fr":
            text = text.replace(",", THIN).replace(".", ",")
        return text

    def percent(self, value: float | int | None) -> str:
        """``45%`` / ``45 %``."""
        if value is None:
            return "—"
        return f"{self.number(value)}{NBSP}%" if self.lang == "fr" else f"{self.number(value)}%"

    def day(self, value: date | None) -> str:
        """``30 Nov 2026`` / ``30 nov. 2026``."""
        if value is None:
            return "—"
        return f"{value.day}{NBSP}{MONTHS[self.lang][value.month - 1]}{NBSP}{value.year}"
