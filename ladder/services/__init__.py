"""Use cases. Each takes plain values and an engine or connection, returns plain values, and
commits once: a failed call leaves nothing half written."""
