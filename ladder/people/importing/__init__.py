"""``ladder people import``: supporters from the CSV files organisers really have.

:mod:`~ladder.people.importing.importer` runs an import (read, validate, plan, write) over
:mod:`~ladder.tabular.csvfile`, the generic reader shared with sign-in sheets.
"""
