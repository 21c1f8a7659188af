"""Demo prevention and awareness work: targets and sessions from April 2015 to today.

Synthetic and deterministic (a fixed seed): every programme the committee heard about, as it
heard it. Taxi and private hire drivers were trained first; patient transport (PTS) and bus
drivers followed from 2016; a play for secondary pupils ran throughout and one for primary
pupils was rolled out from autumn 2016; hotel staff, parents and professionals had sessions
of their own. Sessions go in through the same import as a real file, so they are checked the
same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import NamedTuple

from safehub.access.policy import Principal
from safehub.awareness import services
from safehub.awareness.models import Session
from safehub.geo.models import Ward
from safehub.geo.services import ward_set_on

SEED = 13
START = dt.date(2015, 4, 1)
# Sessions aimed at an emerging community, drawn from a second generator so the sessions, their
# dates and their sizes stay those of the demo before communities were recorded. Parents' and
# professionals' sessions are the ones a hub runs with community organisations (in Polish,
# Slovak or Romanian, or with the Traveller education service); some plays tour Traveller sites'
# nearest schools. The share of each programme's sessions aimed at each community:
COMMUNITY_SEED = 4
COMMUNITY_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    "parents": (("other_white", 0.3), ("gypsy_roma_traveller", 0.15)),
    "professionals": (("other_white", 0.1), ("gypsy_roma_traveller", 0.1)),
    "school-play-primary": (("gypsy_roma_traveller", 0.1),),
    "school-play-secondary": (("other_white", 0.08),),
}


class Plan(NamedTuple):
    begins: dt.date
    per_month: int
    size: tuple[int, int]  # people a session, lowest and highest
    audience: str
    venue: str
    by: str
    per_ward: tuple[int, int] | None  # each ward's target, lowest and highest
    district: int | None  # the district's target


LICENSING = "Licensing and hub trainers"
PLAN: dict[str, Plan] = {
    "taxi": Plan(START, 3, (12, 30), "drivers", "Licensing office", LICENSING, (40, 120), None),
    "pts": Plan(dt.date(2016, 6, 1), 1, (8, 20), "drivers", "Ambulance station", "Hub trainers",
                (6, 22), None),
    "bus": Plan(dt.date(2016, 9, 1), 2, (15, 35), "drivers", "Bus depot",
                "Bus operator and hub trainers", (20, 70), None),
    "hotel": Plan(dt.date(2015, 10, 1), 1, (6, 18), "staff", "Hotel function room",
                  "Hub trainers", None, 900),
    "school-play-secondary": Plan(START, 3, (90, 240), "pupils", "Secondary school hall",
                                  "Theatre company", (250, 700), None),
    "school-play-primary": Plan(dt.date(2016, 9, 1), 2, (45, 120), "pupils",
                                "Primary school hall", "Theatre company", (150, 420), None),
    "parents": Plan(START, 1, (5, 25), "parents", "Community centre",
                    "Voluntary sector partner", None, 3000),
    "professionals": Plan(START, 2, (10, 40), "professionals", "Council training centre",
                          "Safeguarding children partnership", None, 2500),
}  # fmt: skip


def _months(until: dt.date) -> list[dt.date]:
    months, day = [], START
    while day <= until:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def load(*, acting_user: Principal, today: dt.date) -> int:
    """Targets and sessions, once: a database that already holds sessions keeps them."""
    if Session.objects.exists():
        return 0
    services.ensure_standard_programmes(acting_user=acting_user)
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data, not security
    services.set_targets(_targets(rng), acting_user=acting_user)
    data = _sessions(rng, today)
    return services.import_sessions(data, acting_user=acting_user).sessions


def _targets(rng: random.Random) -> list[services.TargetSpec]:
    """District targets, and ward targets on the wards in force when the work began."""
    first = ward_set_on(START)
    wards = list(Ward.objects.filter(ward_set=first).order_by("code")) if first else []
    targets = []
    for code, plan in PLAN.items():
        if plan.district is not None:
            targets.append(services.TargetSpec(code, plan.district, note="Demo figure"))
        if plan.per_ward is not None:
            targets += [
                services.TargetSpec(code, rng.randint(*plan.per_ward), ward=w, note="Demo figure")
                for w in wards
            ]
    return targets


def _sessions(rng: random.Random, today: dt.date) -> bytes:
    """A CSV file of sessions in the import format, each in a ward in force on its day."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(services.COLUMNS)
    codes: dict[int, list[str]] = {}
    for set_id, ward_code in Ward.objects.order_by("code").values_list("ward_set_id", "code"):
        codes.setdefault(set_id, []).append(ward_code)
    number = 0
    aimed = random.Random(COMMUNITY_SEED)  # noqa: S311 - synthetic demo data, not security
    for month in _months(today):
        for code, plan in PLAN.items():
            if month < plan.begins:
                continue
            for _ in range(rng.randint(max(0, plan.per_month - 1), plan.per_month + 1)):
                day = month + dt.timedelta(days=rng.randint(0, 27))
                if day > today:
                    continue
                number += 1
                ward_set = ward_set_on(day)
                in_force = codes.get(ward_set.pk, []) if ward_set else []
                ward = rng.choice(in_force) if in_force else ""
                writer.writerow(
                    [f"DEMO-AW-{number:05d}", code, day.isoformat(), plan.venue, ward,
                     plan.audience, rng.randint(*plan.size), plan.by, _community(aimed, code)]
                )  # fmt: skip
    return out.getvalue().encode()


def _community(aimed: random.Random, programme: str) -> str:
    """The community a session was aimed at, or "" for one open to everyone."""
    draw = aimed.random()
    for community, share in COMMUNITY_SHARES.get(programme, ()):
        if draw < share:
            return community
        draw -= share
    return ""
