"""Colours shared by the views. Status colours pass WCAG AA contrast on white (and white text on them)."""

STATUS_COLOURS = {
    "draft": "#4b5563",
    "submitted": "#1d4ed8",
    "returned": "#b45309",
    "eligible": "#0f766e",
    "ineligible": "#b91c1c",
    "shortlisted": "#7c3aed",
    "awarded": "#15803d",
    "declined": "#b91c1c",
    "deferred": "#b45309",
    "withdrawn": "#4b5563",
}
