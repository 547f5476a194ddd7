"""``ladder next``: who an organiser should ask next, ranked, with a reason each.

:mod:`~ladder.invitations.suggest` is the use case; :mod:`~ladder.invitations.checks` who may
be listed, :mod:`~ladder.invitations.ranking` the ranking statement,
:mod:`~ladder.invitations.reasons` the words beside each row, :mod:`~ladder.invitations.explain`
one person's score.
"""
