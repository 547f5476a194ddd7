"""The pure domain: the ladder, its rungs, action kinds and rules. No database, no I/O."""
