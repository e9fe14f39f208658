"""Reading and writing files: spreadsheets of applications, and (later) 360Giving, PaBuLib, backups."""
