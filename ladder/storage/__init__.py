"""Storage: models, engine, schema state and migrations."""
