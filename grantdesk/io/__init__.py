"""Reading and writing data files: spreadsheets of applications (CSV/XLSX) and 360Giving files with
their schema. Readers and writers only: nothing here imports the services or the database, so every
layer may use it. Printed documents live in ``grantdesk.reports``.
"""
