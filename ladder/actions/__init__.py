"""Actions: one thing a supporter did (signed, shared, called, donated, hosted).

- :mod:`ladder.actions.log`: `ladder actions log`, one action typed by an organiser, and the
  person's rung re-evaluated at once (as after a check-in);
- :mod:`ladder.actions.listing`: `ladder actions list`, filtered, newest first;
- :mod:`ladder.actions.dates`: dates as organisers write them in exports (for the coming
  `ladder actions import`).
"""
