"""Printed documents, drawn with reportlab: letters, code cards, results sheets, member records,
learning reports.

This package sits above ``grantdesk.services``: it prints the plain results the services return
(``EventResults``, ``DecisionContext``, ``LearningReport`` …) and may import them; no service imports
it. Actions whose product is a document and which also record something (issuing code cards, making
and recording letters) take a renderer from here as an argument, so the service still owns the one
transaction. reportlab is imported only when a document is drawn.
"""
