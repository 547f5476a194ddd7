"""Contact details as the check-in page shows them: enough to tell two people apart.

``awa.diallo@example.org`` -> ``a•••@example.org``; ``+687 12 34 56 78`` -> ``•• •• •• 56 78``.
"""

from __future__ import annotations

DOT = "\u2022"


def masked_email(email: str | None) -> str | None:
    if not email:
        return None
    local, at, domain = email.partition("@")
    if not at:
        return DOT * 3
    return f"{local[:1]}{DOT * 3}@{domain}"


def masked_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 4:
        return DOT * 2
    last = "".join(digits[-4:])
    return f"{DOT * 2} {DOT * 2} {DOT * 2} {last[:2]} {last[2:]}"
