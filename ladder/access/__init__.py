"""Who may use the web face: API tokens with a role, and volunteers' check-in links."""
