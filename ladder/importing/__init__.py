"""Importing the files organisers really have: CSV exports from spreadsheets and web forms.

:mod:`ladder.importing.csvfile` is the generic reader (encoding, delimiter, header mapping);
:mod:`ladder.importing.people` imports supporters with it.
"""
