"""What European movements are held to (GDPR art. 7, 15, 17): the consent ledger, erasure, the
access export, the audit of manual changes and the retention sweep."""
