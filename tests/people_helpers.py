"""A fund with people in every role, for the subject access and erasure tests (service and window)."""

from datetime import date, datetime

from helpers import ACTOR, build_fund

from grantdesk.services import applications, organisations
from grantdesk.services.common import audit
from grantdesk.services.decisions import add_award
from grantdesk.services.workflow import do_transition
from grantdesk.store.models import (
    Attachment,
    Contact,
    Fund,
    Member,
    Organisation,
    Panel,
    PanelCriterion,
    Panellist,
    PanelScore,
)


def build_people(db):
    """A fund with: Ann Other (contact) on an award made 1 June 2026; Bob Example (contact, phone) on a
    withdrawn bid; Jo Bloggs, an individual applicant declined in 2023; a panellist and a member."""
    built = build_fund(db, "PPL")
    with db.unit_of_work() as uow:
        s = uow.session
        fund, org = s.get(Fund, built.fund_id), s.get(Organisation, built.organisation_id)
        ann = s.get(Contact, built.contact_id)
        bob = organisations.find_or_add_contact(s, actor=ACTOR, organisation=org, name="Bob Example",
                                                email="bob@example.org")
        bob.phone = "01632 960555"
        awarded = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, contact=ann,
                                               title="Lunches", amount_requested_pence=50000,
                                               summary="Run by Ann Other on Tuesdays")
        for target in ("submitted", "eligible", "shortlisted", "awarded"):
            do_transition(s, awarded, target, actor=ACTOR, reason="ok", at=datetime(2026, 6, 1))
        add_award(s, actor=ACTOR, application=awarded, amount_pence=40000, awarded_on=date(2026, 6, 1),
                  purpose="Lunches for older people")
        withdrawn = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, contact=bob,
                                                 title="Trip", amount_requested_pence=9000)
        do_transition(s, withdrawn, "submitted", actor=ACTOR, at=datetime(2026, 5, 1))
        do_transition(s, withdrawn, "withdrawn", actor=ACTOR, reason="Bob Example phoned 01632960555",
                      at=datetime(2026, 5, 2))
        jo_org = organisations.find_or_add_organisation(s, actor=ACTOR, name="Jo Bloggs", org_type="individual")
        jo_org.address, jo_org.postcode = "1 High Street, Testville", "TE1 1ST"
        jo = organisations.find_or_add_contact(s, actor=ACTOR, organisation=jo_org, name="Jo Bloggs",
                                               email="jo@example.net")
        solo = applications.add_application(s, actor=ACTOR, fund=fund, organisation=jo_org, contact=jo,
                                            title="Jo's art course", amount_requested_pence=30000)
        do_transition(s, solo, "submitted", actor=ACTOR, at=datetime(2023, 3, 1))
        do_transition(s, solo, "ineligible", actor=ACTOR, reason="Jo Bloggs lives outside the area",
                      at=datetime(2023, 3, 2))
        s.add(Attachment(application_id=solo.id, kind="other", filename="jo-passport.jpg", media_type="image/jpeg",
                         size_bytes=3, sha256="0" * 64, data=b"jpg", added_at=datetime(2023, 3, 1), added_by=ACTOR))
        panel = Panel(fund_id=fund.id, name="Residents' panel", notes="Carol Panel chaired; Ann Other attended")
        s.add(panel)
        s.flush()
        carol = Panellist(panel_id=panel.id, name="Carol Panel", area_description="Testville North")
        member = Member(fund_id=fund.id, name="Cllr Dave Member", email="dave@council.example", party="Independent")
        criterion = PanelCriterion(panel_id=panel.id, name="Need")
        s.add_all([carol, member, criterion])
        s.flush()
        s.add(PanelScore(panellist_id=carol.id, application_id=awarded.id, criterion_id=criterion.id, score=4,
                         note="strong", scored_at=datetime(2026, 5, 20)))
        audit(s, actor=ACTOR, action="letter.produce", entity="application", entity_id=awarded.id,
              summary=f"Award letter for {awarded.reference} (en) dated 2026-06-02",
              after={"kind": "award", "languages": ["en"], "date": "2026-06-02"})
        ids = {"ann": ann.id, "bob": bob.id, "jo": jo_org.id, "jo_contact": jo.id, "carol": carol.id,
               "dave": member.id, "awarded": awarded.id, "withdrawn": withdrawn.id, "solo": solo.id,
               "awarded_ref": awarded.reference}
        uow.commit()
    return ids
