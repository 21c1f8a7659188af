"""The demo's committee meeting: the Bradford South Area Committee's four resolutions and the
ACTION on the Strategic Director, Children's Services, with progress updates.

The resolutions are those the committee made (as the shared design brief records them); the
action's wording and progress are invented for the demo. The brief gives the figures the
committee saw ("up to 27 October 2016") but not the meeting's date, so the demo dates it soon
after. The owner is a post, never a person.
"""

from __future__ import annotations

import datetime as dt

from safehub.access.models import Role
from safehub.access.policy import Principal
from safehub.geo.models import AreaCommittee
from safehub.scrutiny import services as scrutiny
from safehub.scrutiny.models import ActionStatus, CommitteeMeeting

COMMITTEE = "Bradford South Area Committee"
AREA = "Bradford South"
MEETING_ON = dt.date(2016, 11, 10)
OWNER = "Strategic Director, Children's Services"

# number, resolution, action, due date, progress updates (date, text, status, evidence)
RESOLUTIONS: tuple[
    tuple[int, str, str, dt.date, tuple[tuple[dt.date, str, str, str], ...]], ...
] = (
    (
        1,
        (
            "That future reports give better clarity on the data sets, making comparison and "
            "analysis easier."
        ),
        (
            "Report the hub's figures by ward and risk level with live cases now against a year "
            "earlier, three financial years side by side, and a definition for every figure."
        ),
        dt.date(2017, 6, 30),
        (
            (
                dt.date(2017, 3, 14),
                (
                    "Figures are now taken from a fixed extract on a stated day, so a report "
                    "can be reproduced; ward and risk-level tables drafted with the "
                    "committee's officer."
                ),
                ActionStatus.IN_PROGRESS,
                "",
            ),
            (
                dt.date(2017, 6, 20),
                (
                    "The area report gives live cases against a year earlier, three financial "
                    "years of referrals and an appendix defining each figure."
                ),
                ActionStatus.COMPLETE,
                "referrals_by_financial_year",
            ),
        ),
    ),
    (
        2,
        "That links between the CSE hub and the Youth Service be strengthened.",
        (
            "Agree how the hub and the Youth Service refer to each other, and report referrals "
            "both ways in each committee report."
        ),
        dt.date(2017, 9, 30),
        (
            (
                dt.date(2017, 4, 3),
                "A Youth Service link worker attends the hub's weekly allocation meeting.",
                ActionStatus.IN_PROGRESS,
                "",
            ),
            (
                dt.date(2017, 9, 12),
                (
                    "Referrals from the Youth Service and decisions routing cases to it are "
                    "counted in each report."
                ),
                ActionStatus.COMPLETE,
                "youth_service",
            ),
        ),
    ),
    (
        3,
        (
            "That clear links be established to support lower-risk cases through agencies that can "
            "support young people in a timely way."
        ),
        (
            "Route lower-risk cases to partner agencies with a target time for acceptance and "
            "first contact, and report the hub's timeliness."
        ),
        dt.date(2017, 12, 31),
        (
            (
                dt.date(2017, 7, 10),
                "Pathways agreed with early help and the voluntary sector for lower-risk cases.",
                ActionStatus.IN_PROGRESS,
                "",
            ),
            (
                dt.date(2017, 12, 5),
                "Timeliness of decisions and return home interviews is reported to each meeting.",
                ActionStatus.COMPLETE,
                "timeliness",
            ),
        ),
    ),
    (
        4,
        "That there be a greater focus on new emerging communities.",
        (
            "Count children of emerging communities separately and improve the recording of "
            "ethnicity, first language and date of arrival, reporting the trend."
        ),
        dt.date(2018, 3, 31),
        (
            (
                dt.date(2017, 5, 22),
                (
                    "Gypsy, Roma and Irish Traveller children, other White backgrounds, first "
                    "language and recent arrivals are counted separately in each report."
                ),
                ActionStatus.IN_PROGRESS,
                "emerging_communities",
            ),
            (
                dt.date(2018, 2, 26),
                (
                    "Practitioners reminded to ask children how they identify; the report "
                    "shows the share of ethnicity not obtained, refused or recorded by "
                    "observation, by year."
                ),
                ActionStatus.COMPLETE,
                "ethnicity_recording_quality",
            ),
        ),
    ),
)


def load(*, acting_user: Principal) -> CommitteeMeeting:
    """The meeting, once: a database that holds it keeps what it has."""
    found = CommitteeMeeting.objects.filter(committee=COMMITTEE, held_on=MEETING_ON).first()
    if found is not None:
        return found
    area = AreaCommittee.objects.filter(name=AREA).first()
    meeting = scrutiny.record_meeting(
        committee=COMMITTEE, area=area, held_on=MEETING_ON, acting_user=acting_user
    )
    for number, text, action_text, due_on, updates in RESOLUTIONS:
        resolution = scrutiny.add_resolution(
            meeting, number=number, text=text, acting_user=acting_user
        )
        action = scrutiny.add_action(
            resolution,
            text=action_text,
            owner_role=Role.HUB_MANAGER,
            owner_title=OWNER,
            due_on=due_on,
            acting_user=acting_user,
        )
        for reported_on, progress, status, evidence in updates:
            scrutiny.record_progress(
                action,
                reported_on=reported_on,
                text=progress,
                status=status,
                evidence=evidence,
                acting_user=acting_user,
            )
    return meeting
