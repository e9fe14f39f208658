"""GrantDesk's Qt front end. Widgets call ``grantdesk.services`` on a worker thread and get plain data
back; nothing here imports SQLAlchemy or builds a query."""
