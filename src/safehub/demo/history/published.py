"""What the district published, and the yearly volumes the generator is built around.

The published figures are the generator's fixed points; the tables around them are our
choice, shaped so the series reads plausibly before and after the published years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

HISTORY_START = date(2013, 4, 1)
DEFAULT_UNTIL = date(2026, 11, 25)
EARLIEST_UNTIL = date(2017, 4, 1)  # the published figures need 2016/17 complete


@dataclass(frozen=True)
class Snapshot:
    """A published count of children open to the hub in one area on one day, with the
    breakdowns the snapshot's children are built to: (ward name, count), (level, count),
    (age on the day, count), how many are female and how many have a care status that day.
    """

    day: date
    area_committee: str
    wards: tuple[tuple[str, int], ...]
    levels: tuple[tuple[str, int], ...]
    ages: tuple[tuple[int, int], ...]
    female: int
    in_care: int

    @property
    def total(self) -> int:
        return sum(n for _, n in self.wards)


PUBLISHED_REFERRALS: dict[str, int] = {"2014/15": 431, "2015/16": 713, "2016/17": 1153}
# 2015/16: individual children referred, and how many of them were referred more than once.
PUBLISHED_CHILDREN_2015_16 = (569, 106)

# "76 young people ... 11 considered to be at high risk; the ward with the highest number
# was Wyke, with Tong, Wibsey and Royds close behind." The ward split, the medium/low split,
# ages and care status are not published: they are our choice, shaped like the West figures.
SOUTH_OCTOBER_2016 = Snapshot(
    day=date(2016, 10, 27),
    area_committee="Bradford South",
    wards=(
        ("Wyke", 18),
        ("Tong", 16),
        ("Wibsey", 15),
        ("Royds", 15),
        ("Great Horton", 6),
        ("Queensbury", 6),
    ),
    levels=(("high", 11), ("medium", 29), ("low", 36)),
    ages=((12, 6), (13, 13), (14, 20), (15, 17), (16, 12), (17, 8)),
    female=66,
    in_care=38,
)
# "60 children at risk, 15% high, 38% medium, 47% low", wards as published; "most common age
# 14, 87% female"; "half ... also children in need, on a child protection plan or looked after".
WEST_OCTOBER_2016 = Snapshot(
    day=date(2016, 10, 31),
    area_committee="Bradford West",
    wards=(
        ("Thornton and Allerton", 16),
        ("Manningham", 12),
        ("Heaton", 11),
        ("Clayton and Fairweather Green", 10),
        ("City", 7),
        ("Toller", 4),
    ),
    levels=(("high", 9), ("medium", 23), ("low", 28)),
    ages=((12, 4), (13, 11), (14, 16), (15, 13), (16, 10), (17, 6)),
    female=52,
    in_care=30,
)
SNAPSHOTS = (SOUTH_OCTOBER_2016, WEST_OCTOBER_2016)
# A snapshot child's address holds from a week before the first snapshot to a week after the
# last, so neither snapshot can see that child anywhere else.
PIN_FIRST = SOUTH_OCTOBER_2016.day - timedelta(days=7)
PIN_LAST = WEST_OCTOBER_2016.day + timedelta(days=7)

# Referrals received per financial year, by the year it starts. 2014/15 to 2016/17 are
# published; the rest rise to a plateau of 1,200-1,400, with a dip in the pandemic year.
# Later years repeat the last; a part year gets its share by days.
REFERRAL_TARGETS: dict[int, int] = {
    2013: 300,
    2014: 431,
    2015: 713,
    2016: 1153,
    2017: 1240,
    2018: 1310,
    2019: 1285,
    2020: 1160,
    2021: 1265,
    2022: 1330,
    2023: 1375,
    2024: 1350,
    2025: 1320,
}
# New background episodes per financial year. Well below the referral targets (each episode
# brings 1.4 referrals on average), so a year's count can always be made exact by adding
# children who were referred but never opened.
EPISODE_TARGETS: dict[int, int] = {
    2013: 150,
    2014: 220,
    2015: 300,
    2016: 480,
    2017: 520,
    2018: 550,
    2019: 550,
    2020: 500,
    2021: 530,
    2022: 550,
    2023: 570,
    2024: 560,
    2025: 550,
}


def target(table: dict[int, int], fy: int) -> int:
    """The table's value for the year; before the table its first, after it its last."""
    if fy in table:
        return table[fy]
    return table[min(table)] if fy < min(table) else table[max(table)]
