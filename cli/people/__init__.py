"""`ladder people ...`: the people group. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

# subcommand -> "module:attribute"
PEOPLE_COMMANDS: dict[str, str] = {
    "add": "cli.people.edit:add",
    "edit": "cli.people.edit:edit",
    "tag": "cli.people.edit:tag",
    "untag": "cli.people.edit:untag",
    "consent": "cli.people.consent:consent",
    "set-recruiter": "cli.people.edit:set_recruiter",
    "clear-recruiter": "cli.people.edit:clear_recruiter",
    "list": "cli.people.listing:list_command",
    "show": "cli.people.listing:show",
    "why": "cli.people.why:why",
    "set-rung": "cli.people.why:set_rung_command",
    "import": "cli.people.imports:import_command",
    "duplicates": "cli.people.merge:duplicates",
    "merge": "cli.people.merge:merge",
    "erase": "cli.people.erase:erase",
    "export": "cli.people.export:export",
    "affiliate": "cli.people.affiliations:affiliate",
    "unaffiliate": "cli.people.affiliations:unaffiliate",
}

# command name -> its one-line help for the listing (the docstring up to its first period),
# so that `--help` imports no command (tests/cli/test_startup.py keeps them equal).
PEOPLE_SUMMARIES: dict[str, str] = {
    "add": "Add a person at the first rung of the ladder.",
    "edit": "Change a person's details; only the options given change.",
    "tag": "Tag a person (a tag is created on first use; tagging twice changes nothing).",
    "untag": "Remove tags from a person.",
    "consent": "Record what PERSON said, yes or no, to being emailed, texted or photographed.",
    "set-recruiter": "Say who recruited PERSON.",
    "clear-recruiter": "Forget who recruited PERSON.",
    "list": "List people, by id.",
    "show": (
        "Everything about one person: details, rung and since when, level history, actions "
        "(the newest 20, and how many in all; --all lists every one), events, the recruiter "
        "chain up and the recruits down."
    ),
    "why": "Why PERSON is on their rung, and what is missing for the next one.",
    "set-rung": "Put PERSON on RUNG by hand; recorded with who (you) and why.",
    "import": "Import people from a CSV file (or - for standard input).",
    "duplicates": (
        "List likely duplicates: the same email or phone, or similar names in the same postcode."
    ),
    "merge": (
        "Merge OTHER into KEEP: actions, attendances, tags, level history and recruits move to "
        "KEEP, KEEP's blank details are filled from OTHER, the higher rung wins, and the merge "
        "is recorded."
    ),
    "erase": (
        "Erase PERSON's details for good: names, email, phone, postcode, notes, tags, other "
        "tools' ids, consent evidence and merge snapshots go, also from the records merged "
        "into them."
    ),
    "export": (
        "Write everything held about PERSON to one JSON file (an access request, GDPR article "
        "15): details, every action, attendance, RSVP and invitation, level changes with their "
        "evidence, consent records, tags, ids in other tools, recruiter and recruits by id, "
        "merges and the audit entries about them."
    ),
    "affiliate": (
        "Say that PERSON represents the organisation ORG (a person may represent several)."
    ),
    "unaffiliate": "Say that PERSON no longer represents the organisation ORG.",
}


@click.group(cls=LazyGroup, lazy=PEOPLE_COMMANDS, summaries=PEOPLE_SUMMARIES)
def people() -> None:
    """Supporters: add, find, import, merge, and see why they are on their rung.

    Example: ladder people list --rung attend --format csv
    """
