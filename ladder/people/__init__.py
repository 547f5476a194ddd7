"""People: add, edit, tag, find, list and show supporters; find and merge duplicates; import
them from the spreadsheets organisers have (:mod:`ladder.people.importing`)."""
