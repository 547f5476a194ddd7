"""Demo data: the fake-movement generator (``ladder seed``, ``ladder demo``).

The built-in ladder file it fills a movement against is package data of ``ladder`` itself
(:func:`ladder.domain.ladderfile.default_ladder_path`).
"""
