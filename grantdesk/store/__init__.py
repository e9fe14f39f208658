"""Storage: the SQLAlchemy mapping, database opening and upgrades, and the unit of work."""
