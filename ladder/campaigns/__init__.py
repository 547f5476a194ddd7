"""Campaigns: a named push with a numeric goal, and its progress computed from actions.

- :mod:`ladder.campaigns.lookup`: find a campaign by name (close names suggested);
- :mod:`ladder.campaigns.goals`: what a goal counts (``actions:petition``, ``people``, ...);
- :mod:`ladder.campaigns.progress`: counts, pace and projection for many campaigns at once,
  in a fixed number of grouped queries (never a loop over actions);
- :mod:`ladder.campaigns.manage`: `campaigns add`, `edit`, `list`, `show`.
"""
