"""Default resources shipped with GrantDesk (installed as ``grantdesk.resources``): icons, letter templates."""
