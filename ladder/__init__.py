"""ladder: an engagement-ladder CRM for grassroots movements.

The library never imports click or tabulate and never opens a database at import time:
callers build an engine with :func:`ladder.storage.engine.make_engine` from
:class:`ladder.settings.Settings`.
"""

__version__ = "0.1.0"
