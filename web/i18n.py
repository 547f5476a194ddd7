"""The check-in page's words, in English and French, and the choice between them.

One small catalogue: every string the page shows is a key here. The language is the browser's
(``Accept-Language``): French for a French browser, English otherwise.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr")
DEFAULT = "en"

CATALOGUE: dict[str, dict[str, str]] = {
    "title": {"en": "Check-in", "fr": "Accueil"},
    "counter": {
        "en": "checked in: {checked_in} of {accepted} accepted",
        "fr": "présents : {checked_in} sur {accepted} inscrits",
    },
    "search_label": {"en": "Name, email or phone", "fr": "Nom, e-mail ou téléphone"},
    "search_button": {"en": "Search", "fr": "Chercher"},
    "search_hint": {"en": "Type at least two characters.", "fr": "Tapez au moins deux caractères."},
    "nobody": {
        "en": "Nobody matches: sign them up below.",
        "fr": "Personne ne correspond : inscrivez la personne ci-dessous.",
    },
    "check_in": {"en": "Check in", "fr": "Enregistrer"},
    "undo": {"en": "Undo", "fr": "Annuler"},
    "checked_in": {"en": "{name} is checked in.", "fr": "{name} est enregistré·e."},
    "already": {"en": "{name} was already checked in.", "fr": "{name} était déjà enregistré·e."},
    "known": {
        "en": "{name} was already known: checked in, nobody new added.",
        "fr": "{name} était déjà connu·e : enregistré·e, personne de nouveau.",
    },
    "undone": {"en": "Check-in undone.", "fr": "Enregistrement annulé."},
    "walk_in": {"en": "Someone new", "fr": "Nouvelle personne"},
    "first_name": {"en": "First name", "fr": "Prénom"},
    "last_name": {"en": "Last name", "fr": "Nom"},
    "contact": {"en": "Email or phone", "fr": "E-mail ou téléphone"},
    "postcode": {"en": "Postcode", "fr": "Code postal"},
    "brought_by": {
        "en": "Who brought you? (email or phone)",
        "fr": "Qui vous a amené·e ? (e-mail ou téléphone)",
    },
    "consent_email": {"en": "I agree to receive emails", "fr": "J'accepte de recevoir des e-mails"},
    "consent_sms": {
        "en": "I agree to receive text messages",
        "fr": "J'accepte de recevoir des SMS",
    },
    "consent_photo": {"en": "I agree to be photographed", "fr": "J'accepte d'être pris·e en photo"},
    "sign_up": {"en": "Sign up and check in", "fr": "Inscrire et enregistrer"},
    "need_name": {"en": "Give a first or last name.", "fr": "Indiquez un prénom ou un nom."},
    "need_contact": {
        "en": "Give an email or a phone number.",
        "fr": "Indiquez un e-mail ou un téléphone.",
    },
    "bad_link": {
        "en": "This check-in link cannot be used",
        "fr": "Ce lien d'accueil ne fonctionne pas",
    },
    "too_many": {
        "en": "Too many requests: wait a moment.",
        "fr": "Trop de requêtes : patientez un instant.",
    },
    "problem": {"en": "That did not work", "fr": "Cela n'a pas fonctionné"},
    "rel_checked_in": {"en": "checked in", "fr": "présent·e"},
    "rel_accepted": {"en": "accepted", "fr": "inscrit·e"},
    "rel_tentative": {"en": "maybe", "fr": "peut-être"},
    "rel_invited": {"en": "invited", "fr": "invité·e"},
    "rel_declined": {"en": "declined", "fr": "a décliné"},
}


def language(accept_language: str | None) -> str:
    """``fr`` or ``en`` from an Accept-Language header: the supported one of highest q."""
    best, best_q = DEFAULT, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # equal weights: the first listed wins
        if q > 0 and q > best_q:
            best, best_q = base, q
    return best


def translator(lang: str):  # noqa: ANN201 (a small closure for the templates)
    """``t(key, **values)`` in ``lang``."""

    def t(key: str, **values: object) -> str:
        words = CATALOGUE[key]
        text = words.get(lang) or words[DEFAULT]
        return text.format(**values) if values else text

    return t
