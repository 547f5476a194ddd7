"""Rules in the ladder file: the defaults, and one line naming file, rule and field per mistake."""

import pytest

from ladder.domain.ladderfile import default_ladder_path, ladder_problems, load_ladder, parse_ladder
from ladder.errors import LadderFileError

RUNGS = (
    '[[rungs]]\nname = "follow"\n[[rungs]]\nname = "attend"\n[[rungs]]\nname = "ambassador"\n'
    '[[action_kinds]]\nname = "photos"\nrung = "attend"\n'
)


def rule(body: str, rule_id: str = "climbers") -> str:
    return RUNGS + f'[[rules]]\nid = "{rule_id}"\n{body}\n'


def test_the_default_ladder_declares_350_style_rules():
    ladder = load_ladder(default_ladder_path())
    assert [r.id for r in ladder.promotion_rules] == ["shows-up", "mobilises-others"]
    assert [r.id for r in ladder.lapse_rules] == ["quiet-for-six-months"]
    assert ladder.promotion.lapse_grace_days == 30
    assert ladder.promotes_from("mobilise") == ["attend"]


def test_a_rung_can_allow_skipping_on_its_own():
    ladder = parse_ladder(
        RUNGS.replace('name = "ambassador"', 'name = "ambassador"\nrequires_previous = false')
    )
    assert ladder.promotes_from("attend") == ["follow"]
    assert ladder.promotes_from("ambassador") == ["follow", "attend"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            rule('promote_to = "ambassador"\nany = [{ recruits = 3, recruits_at_rung = "mayor" }]'),
            "rules[0] (id='climbers'): any.0.recruits_at_rung: unknown rung 'mayor' "
            "(rungs: follow, attend, ambassador)",
        ),
        (
            rule('promote_to = "mayor"\nall = [{ hosted_events = 1 }]'),
            "rules[0] (id='climbers'): promote_to: unknown rung 'mayor'",
        ),
        (
            rule('promote_to = "attend"\nall = [{ actions = 2, kinds = ["juggling"] }]'),
            "rules[0] (id='climbers'): all.0.kinds: unknown action kind 'juggling' (photos)",
        ),
        (
            rule('promote_to = "attend"\nall = [{ attended_events = 2, hosted_events = 1 }]'),
            "rules[0] (id='climbers'): all.0: give exactly one of",
        ),
        (
            rule(
                'promote_to = "attend"\n'
                'all = [{ all = [{ hosted_events = 1, kinds_of = "attend" }] }]'
            ),
            "rules[0] (id='climbers'): all.0.all.0: kinds_of only goes with actions",
        ),
        (
            rule('promote_to = "attend"\nall = [{ attended_events = 0 }]'),
            "rules[0] (id='climbers'): all.0.attended_events: Input should be greater than",
        ),
        (
            rule("all = [{ hosted_events = 1 }]"),
            "rules[0] (id='climbers'): give either promote_to = RUNG or lapse = true",
        ),
        (
            rule(
                'promote_to = "attend"\n'
                "all = [{ hosted_events = 1 }]\nany = [{ hosted_events = 2 }]"
            ),
            "rules[0] (id='climbers'): give either all = [...] or any = [...]",
        ),
        (
            rule('promote_to = "follow"\nall = [{ hosted_events = 1 }]'),
            "rules[0] (id='climbers'): promote_to: everyone starts on the first rung",
        ),
        (
            rule("lapse = true\nall = [{ no_activity_days = 9 }]", rule_id="reactivation"),
            "rules[0] (id='reactivation'): the rule id 'reactivation' is reserved",
        ),
        (
            RUNGS + "[promotion]\nlapse_grace_days = -3\n",
            "promotion.lapse_grace_days: Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_broken_rule_is_one_line_naming_the_file_the_rule_and_the_field(tmp_path, text, message):
    path = tmp_path / "movement.toml"
    path.write_text(text)
    with pytest.raises(LadderFileError) as caught:
        load_ladder(path)
    assert str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)


def test_duplicate_rule_ids_and_bad_references_are_all_listed():
    text = rule('promote_to = "attend"\nall = [{ has_tag = "driver" }]') + (
        '[[rules]]\nid = "climbers"\npromote_to = "ambassador"\n'
        'all = [{ actions = 1, kinds_of = "mayor" }]\n'
    )
    assert ladder_problems(text, "m.toml") == [
        "m.toml: rules[1] (id='climbers'): id: duplicate id",
        "m.toml: rules[1] (id='climbers'): all.0.kinds_of: unknown rung 'mayor' "
        "(rungs: follow, attend, ambassador)",
    ]
