"""Events and attendance: the agenda (add, edit, find, list, show), invitations and RSVPs,
check-in at the door, closing an event, and sign-in sheets (printed and read back)."""
