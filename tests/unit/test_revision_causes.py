"""Every revision adds up: the causes, each with its sign, are the change, for any two
snapshots, any merges, any area, ward or risk level (hypothesis over random children)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from safehub.analytics.revisions import _Comparison, _Counted, _Side

D = dt.date(2016, 10, 31)
CHILDREN = [f"c{i}" for i in range(8)]
counted = st.builds(
    _Counted,
    episode=st.sampled_from(["e1", "e2", "e3"]),
    area=st.sampled_from(["North", "South"]),
    ward_code=st.sampled_from(["W1", "W2", "W3"]),
    level=st.sampled_from(["high", "medium", "low"]),
)


@st.composite
def sides(draw: st.DrawFn) -> _Side:
    chosen = draw(st.dictionaries(st.sampled_from(CHILDREN), counted, max_size=8))
    children = set(chosen) | draw(st.sets(st.sampled_from(CHILDREN)))
    return _Side(
        counted={
            c: _Counted(f"{c}-{v.episode}", v.area, v.ward_code, v.level) for c, v in chosen.items()
        },
        children=children,
        episodes={f"{c}-{v.episode}" for c, v in chosen.items()}
        | draw(st.sets(st.sampled_from([f"{c}-e{i}" for c in CHILDREN for i in (1, 2, 3)]))),
        withdrawn_episodes=draw(st.sets(st.sampled_from([f"{c}-e1" for c in CHILDREN]))),
        merged_into=draw(
            st.dictionaries(st.sampled_from(CHILDREN), st.sampled_from(CHILDREN), max_size=3)
        ),
        ward_names={},
    )


@settings(max_examples=300, deadline=None)
@given(
    then=sides(),
    now=sides(),
    area=st.sampled_from([None, "North"]),
    ward=st.sampled_from([None, "W1"]),
    level=st.sampled_from([None, "high"]),
)
def test_the_causes_add_up_to_the_change(
    then: _Side, now: _Side, area: str | None, ward: str | None, level: str | None
) -> None:
    revision = _Comparison(then, now, D, area).revise("x", ward_code=ward, level=level)

    def count(side: _Side) -> int:
        return sum(
            1
            for c in side.counted.values()
            if (area is None or c.area == area)
            and (ward is None or c.ward_code == ward)
            and (level is None or c.level == level)
        )

    assert (revision.published, revision.now) == (count(then), count(now))
    assert revision.adds_up()
    if level is None:  # only a risk-level row gains or loses a child by a re-grade
        assert revision.regraded_in == revision.regraded_out == 0


def test_one_in_one_out_and_a_re_grade_are_three_causes_not_zero() -> None:
    def side(**where: tuple[str, str]) -> _Side:
        rows = {c: _Counted(f"{c}-e", "North", w, lvl) for c, (w, lvl) in where.items()}
        return _Side(rows, set(rows) | {"a", "b", "g"}, {"a-e", "b-e", "g-e"}, set(), {}, {})

    then = side(a=("W1", "low"), g=("W1", "low"), b=("W2", "low"))
    now = side(a=("W2", "low"), g=("W1", "high"), b=("W1", "low"))
    ward = _Comparison(then, now, D, None).revise("W1", ward_code="W1")
    assert (ward.difference, ward.corrected_in, ward.corrected_out, ward.regraded) == (0, 1, 1, 1)
    high = _Comparison(then, now, D, None).revise("High", level="high")
    assert (high.difference, high.regraded_in) == (1, 1)
