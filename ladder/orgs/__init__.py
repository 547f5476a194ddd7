"""Partner organisations and the people who represent them: add, edit, list and show them,
affiliate people, export the shared calendar and write each partner's progress digest."""
