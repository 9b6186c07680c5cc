"""The live classroom: rooms, roles, pushes, challenges and their scoring, and the store."""
