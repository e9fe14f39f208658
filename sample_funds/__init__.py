"""Sample funds shipped with GrantDesk (installed as ``grantdesk.sample_funds``); see README.md."""
