"""GrantDesk: community funds and participatory grantmaking for UK councils.

The package is the domain core and never imports Qt; the desktop front end lives in ``ui``.
"""

__version__ = "0.1.0"
