"""Reports: what an organiser looks at first (people per rung, busiest events, campaign goals)."""
