"""Every page of the New Fund wizard and of Fund Settings, drawn at 1280x800: the wizard filled in as a
council would for Staffordshire's People Helping People (and Oxford's Blackbird Leys for the panel page),
the settings window on the sample funds. Each picture must be the window's full size and not blank.

With ``GRANTDESK_SAVE_SCREENSHOTS=resources/screenshots`` the pictures are kept there (fund-wizard-*.png,
fund-settings-*.png) for the README; otherwise they go to the test's own folder.
"""

import os
import tomllib
from datetime import date
from pathlib import Path

import pytest
from fund_setup_ui_helpers import (
    click,
    copy,
    edit_cell,
    next_page,
    open_settings,
    open_wizard,
    paste_into,
    set_month_day,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from grantdesk.services.fund_setup import fund_setup
from ui.fund_settings import PAGE_KEYS
from ui.fund_wizard import NewFundWizard

SAMPLES = Path(__file__).resolve().parents[1] / "sample_funds"
SIZE = (1280, 800)


def _folder(tmp_path: Path) -> Path:
    chosen = os.environ.get("GRANTDESK_SAVE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(qtbot, window, path: Path) -> None:
    window.resize(*SIZE)
    QApplication.processEvents()  # lay out at this size
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == SIZE, path.name
    colours = {image.pixel(x, y) for x in range(0, SIZE[0], 40) for y in range(0, SIZE[1], 40)}
    assert len(colours) > 3, f"{path.name} is blank"


def _sample(name: str) -> dict:
    return tomllib.loads((SAMPLES / f"{name}.toml").read_text(encoding="utf-8"))


def test_every_wizard_page_at_1280x800(qtbot, db, runner, tmp_path):
    folder = _folder(tmp_path)
    php = _sample("staffordshire-php")
    wizard = open_wizard(qtbot, db, runner, today=date(2026, 5, 1))
    shots = []

    def shoot(name: str) -> None:
        path = folder / f"fund-wizard-{name}.png"
        _shoot(qtbot, wizard, path)
        shots.append(path.name)

    click(qtbot, wizard.model_page.buttons["member"])
    shoot("1-model")
    next_page(qtbot, wizard)
    page = wizard.fund_page
    qtbot.keyClicks(page.name_edit, php["fund"]["name"])
    qtbot.keyClicks(page.council_edit, php["fund"]["council"])
    qtbot.keyClicks(page.funder_edit, php["fund"]["funder_org_id"])
    qtbot.keyClicks(page.prefix_edit, php["fund"]["prefix_360g"])
    page.description_edit.setPlainText(php["fund"]["description"])
    shoot("2-fund")
    next_page(qtbot, wizard)
    paste_into(qtbot, wizard.areas_page.editor.paste_edit, "\n".join(a["name"] for a in php["areas"]))
    click(qtbot, wizard.areas_page.editor.add_button)
    shoot("3-areas")
    next_page(qtbot, wizard)
    copy("\n".join(f"{m['name']}\t{m['area']}\t\t{m.get('email', '')}" for m in php["members"]))
    click(qtbot, wizard.members_page.paste_button)
    set_month_day(qtbot, wizard.members_page.year_form.apply_by, 31, "October")
    set_month_day(qtbot, wizard.members_page.year_form.spend_by, 20, "March")
    shoot("4-members")
    next_page(qtbot, wizard)
    shoot("5-round")
    next_page(qtbot, wizard)
    shoot("6-form")
    next_page(qtbot, wizard)
    letters = php["fund"]["settings"]["letters"]
    qtbot.keyClicks(wizard.letters_page.letters.signatory_name, letters["signatory"]["name"])
    qtbot.keyClicks(wizard.letters_page.letters.signatory_role, letters["signatory"]["role"])
    wizard.letters_page.letters.address.setPlainText("\n".join(letters["letterhead"]["address"]))
    qtbot.keyClicks(wizard.letters_page.letters.email, letters["letterhead"]["email"])
    qtbot.keyClicks(wizard.letters_page.other.themes, ", ".join(php["fund"]["settings"]["themes"]))
    shoot("7-letters")
    next_page(qtbot, wizard)
    assert wizard.currentId() == NewFundWizard.SUMMARY
    shoot("8-summary")

    # the panel page, for a panel fund
    for _ in range(7):
        click(qtbot, wizard.button(wizard.WizardButton.BackButton))
    click(qtbot, wizard.model_page.buttons["panel"])
    next_page(qtbot, wizard)
    page.name_edit.clear()
    qtbot.keyClicks(page.name_edit, "Blackbird Leys Community Fund")
    page.code_edit.setText("BBL")
    page.council_edit.setText("Oxford City Council")
    page.funder_edit.setText("GB-LAE-OXO")
    page.prefix_edit.setText("360G-oxfordcc")
    next_page(qtbot, wizard)
    wizard.areas_page.editor.table.set_rows([{"name": "Blackbird Leys", "ons_code": ""},
                                             {"name": "Northfield Brook", "ons_code": ""}])
    assert next_page(qtbot, wizard) == NewFundWizard.PANEL
    bbl = _sample("oxford-blackbird-leys")["panels"][0]
    copy("\n".join(f"{p['name']}\t{p['area']}" for p in bbl["panellists"]))
    click(qtbot, wizard.panel_page.paste_button)
    for row, c in enumerate(bbl["criteria"]):
        edit_cell(qtbot, wizard.panel_page.criteria, row, 0, c["name"])
    shoot("4b-panel")
    assert shots == ["fund-wizard-1-model.png", "fund-wizard-2-fund.png", "fund-wizard-3-areas.png",
                     "fund-wizard-4-members.png", "fund-wizard-5-round.png", "fund-wizard-6-form.png",
                     "fund-wizard-7-letters.png", "fund-wizard-8-summary.png", "fund-wizard-4b-panel.png"]


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_every_settings_page_at_1280x800(qtbot, sample_db, runner, tmp_path, key):
    code = "BBL" if key == "panel" else "PHP"
    window = open_settings(qtbot, sample_db, runner, code, page=key)
    page = window.pages[key]
    if key == "rounds":
        page.select_round(fund_setup(sample_db, code).rounds[-1].id)
    elif key == "members":
        page.select_member(fund_setup(sample_db, code).members[2].id)
    elif key == "areas":
        page.select_area("Eccleshall")
    _shoot(qtbot, window, _folder(tmp_path) / f"fund-settings-{key}.png")


def test_the_panel_page_of_a_fund_without_one_at_1280x800(qtbot, sample_db, runner, tmp_path):
    window = open_settings(qtbot, sample_db, runner, "PHP", page="panel")
    assert window.pages["panel"].empty.isVisible()
    _shoot(qtbot, window, _folder(tmp_path) / "fund-settings-panel-none.png")
