"""The bar above the applications list: text, status, area and member filters, and saved views."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from grantdesk.domain.workflow import STATUS_LABELS, Status
from grantdesk.i18n import _ as core_text  # the core's status labels, translated

OPEN = "open"  # a status choice meaning every open state
ALL_MEMBERS = -1


class FilterBar(QWidget):
    changed = Signal()
    save_view_requested = Signal()
    view_chosen = Signal(object)  # a SavedView

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._views: tuple[Any, ...] = ()
        self._members: dict[int, Any] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.text_edit = QLineEdit()
        self.text_edit.setObjectName("applicationFilter")
        self.text_edit.setAccessibleName(self.tr("Filter applications"))
        self.text_edit.setPlaceholderText(self.tr("Filter by reference, title or organisation  (Ctrl+F)"))
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.textChanged.connect(lambda _t: self.changed.emit())
        layout.addWidget(self.text_edit, 3)

        self.status_combo = self._combo("statusFilter", self.tr("Filter by status"))
        self.status_combo.addItem(self.tr("All statuses"), "")
        self.status_combo.addItem(self.tr("Open applications"), OPEN)
        for status in Status:
            self.status_combo.addItem(core_text(STATUS_LABELS[status]), status.value)
        self.area_combo = self._combo("areaFilter", self.tr("Filter by area"))
        self.member_combo = self._combo("memberFilter", self.tr("Filter by member"))
        self.views_combo = self._combo("savedViews", self.tr("Saved views"))
        self.views_combo.activated.connect(self._view_activated)
        for combo in (self.status_combo, self.area_combo, self.member_combo):
            combo.activated.connect(lambda _i: self.changed.emit())
            layout.addWidget(combo, 1)
        layout.addWidget(self.views_combo, 1)
        self.save_button = QPushButton(self.tr("Save View…"))
        self.save_button.setObjectName("saveViewButton")
        self.save_button.clicked.connect(self.save_view_requested.emit)
        layout.addWidget(self.save_button)
        self.set_options(None)

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    def set_options(self, options: Any) -> None:
        """Areas, members and saved views of the fund being shown (None while loading)."""
        self.area_combo.clear()
        self.area_combo.addItem(self.tr("All areas"), "")
        self.member_combo.clear()
        self.member_combo.addItem(self.tr("All members"), ALL_MEMBERS)
        self._members = {}
        if options is not None:
            for area in options.areas:
                self.area_combo.addItem(area, area)
            for member in options.members:
                self._members[member.id] = member
                self.member_combo.addItem(f"{member.name} ({member.area})" if member.area else member.name, member.id)
        self.member_combo.setVisible(bool(self._members))
        self.set_views(options.views if options is not None else ())

    def set_views(self, views: tuple[Any, ...]) -> None:
        self._views = tuple(views)
        self.views_combo.clear()
        self.views_combo.addItem(self.tr("Saved views"), None)
        for view in self._views:
            self.views_combo.addItem(view.name, view.id)
        self.views_combo.setEnabled(bool(self._views))

    def _view_activated(self, index: int) -> None:
        view_id = self.views_combo.itemData(index)
        view = next((v for v in self._views if v.id == view_id), None)
        if view is not None:
            self.apply(view.criteria)
            self.view_chosen.emit(view)
            self.changed.emit()

    # --- the criteria ------------------------------------------------------------------------------
    def statuses(self) -> tuple[str, ...]:
        choice = self.status_combo.currentData()
        if not choice:
            return ()
        if choice == OPEN:
            return tuple(s.value for s in Status if s.is_open)
        return (choice,)

    def area(self) -> str | None:
        return self.area_combo.currentData() or None

    def member_id(self) -> int | None:
        value = self.member_combo.currentData()
        return None if value in (None, ALL_MEMBERS) else value

    def criteria(self):
        from grantdesk.services.views import ViewCriteria  # plain dataclass; loaded once the db is open

        return ViewCriteria(self.statuses(), self.area(), self.member_id(), self.text_edit.text().strip())

    def apply(self, criteria: Any) -> None:
        """Show a saved view's criteria in the bar (without emitting ``changed`` per widget)."""
        self.blockSignals(True)
        try:
            statuses = tuple(criteria.statuses)
            open_set = tuple(s.value for s in Status if s.is_open)
            key = "" if not statuses else (OPEN if statuses == open_set else statuses[0])
            self.status_combo.setCurrentIndex(max(self.status_combo.findData(key), 0))
            self.area_combo.setCurrentIndex(max(self.area_combo.findData(criteria.area or ""), 0))
            member = criteria.member_id if criteria.member_id is not None else ALL_MEMBERS
            self.member_combo.setCurrentIndex(max(self.member_combo.findData(member), 0))
            self.text_edit.setText(criteria.text)
        finally:
            self.blockSignals(False)
