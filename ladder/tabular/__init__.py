"""Reading the tabular files organisers have (CSV from spreadsheets and web forms), for any
kind of import: encoding, delimiter and header detection."""
