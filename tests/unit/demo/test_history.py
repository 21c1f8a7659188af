"""The synthetic Bradford history: the published figures, exactly, for any seed; the
invariants the loader relies on; determinism; and a plausible shape where nothing is
published."""

from __future__ import annotations

import ast
import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from safehub.demo import history as synth
from safehub.demo.history import balance, build, reference
from safehub.demo.history.timeline import add_years, age_on, fy_of, local_date

LONDON = ZoneInfo("Europe/London")
AREAS = ("Bradford East", "Bradford South", "Bradford West", "Keighley", "Shipley")
OTHER_SEEDS = (7, 90210)
REFERRAL_SOURCES = set(reference.REFERRAL_SOURCES)
ETHNICITIES = set(reference.ETHNICITIES)
DECISIONS = {
    "no_further_action",
    "advice",
    "pathway_referral",
    "strategy_discussion",
    "social_care_referral",
}


_GENERATED: dict[tuple[int, date | None], synth.History] = {}


def _generate(seed: int, until: date | None = None) -> synth.History:
    """Each history once per test run: a generation takes about a second."""
    if (seed, until) in _GENERATED:
        return _GENERATED[seed, until]
    started = time.perf_counter()
    history = synth.generate(seed=seed, until=until)
    elapsed = time.perf_counter() - started
    print(  # noqa: T201 - the brief asks for the time to be shown, not asserted
        f"\ngenerate(seed={seed}, until={until}): {elapsed:.2f}s, "
        f"{len(history.children)} children, {len(history.referrals)} referrals, "
        f"{len(history.episodes)} episodes, {len(history.missing)} missing episodes"
    )
    _GENERATED[seed, until] = history
    return history


@pytest.fixture(scope="module")
def history() -> synth.History:
    return _generate(2016)


@pytest.fixture(scope="module", params=OTHER_SEEDS)
def other(request: pytest.FixtureRequest) -> synth.History:
    return _generate(request.param)


@pytest.fixture(scope="module", params=["default", *OTHER_SEEDS])
def any_history(request: pytest.FixtureRequest, history: synth.History) -> synth.History:
    """The default history and two others: every figure must hold whatever the seed."""
    if request.param == "default":
        return history
    return _generate(request.param)


def _age(child: synth.SynthChild, day: date) -> int:
    return age_on(child.date_of_birth, day)


def _in_care(child: synth.SynthChild, day: date) -> bool:
    return any(
        p.valid_from <= day and (p.valid_to is None or day < p.valid_to) for p in child.care_periods
    )


# --------------------------------------------------------------------- published figures


def test_referrals_by_financial_year_match_the_published_counts(any_history):
    by_year = synth.referrals_by_financial_year(any_history)
    assert {fy: by_year[fy] for fy in synth.PUBLISHED_REFERRALS} == {
        "2014/15": 431,
        "2015/16": 713,
        "2016/17": 1153,
    }


def test_other_years_rise_to_a_plateau(history):
    by_year = synth.referrals_by_financial_year(history)
    assert 250 <= by_year["2013/14"] <= 350
    for start in range(2017, 2026):
        assert 1100 <= by_year[f"{start}/{(start + 1) % 100:02d}"] <= 1450
    assert 0 < by_year["2026/27"] < 1000  # a part year: the history stops on 24 November
    assert sum(by_year.values()) == len(history.referrals)


def test_2015_16_referrals_concern_569_children_106_of_them_more_than_once(any_history):
    assert synth.children_referred(any_history, "2015/16") == (569, 106)


def test_bradford_south_on_27_october_2016(any_history):
    rows = synth.open_on(any_history, date(2016, 10, 27), "Bradford South")
    assert len(rows) == 76
    assert sum(1 for _, _, level, _ in rows if level == "high") == 11
    by_ward = Counter(ward for *_, ward in rows)
    assert by_ward == {
        "Wyke": 18,
        "Tong": 16,
        "Wibsey": 15,
        "Royds": 15,
        "Great Horton": 6,
        "Queensbury": 6,
    }
    ranked = [ward for ward, _ in by_ward.most_common()]
    assert ranked[0] == "Wyke"
    assert by_ward["Wyke"] > max(by_ward[w] for w in ranked[1:])
    close_behind = {"Tong", "Wibsey", "Royds"}
    assert min(by_ward[w] for w in close_behind) > max(
        by_ward[w] for w in ("Great Horton", "Queensbury")
    )


def test_bradford_west_on_31_october_2016(any_history):
    rows = synth.open_on(any_history, date(2016, 10, 31), "Bradford West")
    assert len(rows) == 60
    assert Counter(level for _, _, level, _ in rows) == {"high": 9, "medium": 23, "low": 28}
    assert Counter(ward for *_, ward in rows) == {
        "Thornton and Allerton": 16,
        "Manningham": 12,
        "Heaton": 11,
        "Clayton and Fairweather Green": 10,
        "City": 7,
        "Toller": 4,
    }


@pytest.mark.parametrize("snapshot", synth.SNAPSHOTS, ids=lambda s: s.area_committee)
def test_snapshot_children_have_the_published_profile(any_history, snapshot):
    rows = synth.open_on(any_history, snapshot.day, snapshot.area_committee)
    children = [child for child, *_ in rows]
    assert len({c.key for c in children}) == len(children)  # one open episode per child
    ages = Counter(_age(c, snapshot.day) for c in children)
    assert set(ages) <= set(range(12, 18))
    assert ages.most_common(1)[0][0] == 14
    female = sum(c.sex == "F" for c in children) / len(children)
    assert 0.85 <= female <= 0.89
    in_care = sum(_in_care(c, snapshot.day) for c in children) / len(children)
    assert in_care == pytest.approx(0.5)


@pytest.mark.parametrize("snapshot", synth.SNAPSHOTS, ids=lambda s: s.area_committee)
def test_everyone_open_on_the_snapshot_days_has_the_published_profile(any_history, snapshot):
    """District-wide, not only in the published area: the profile must hold however the
    figure is cut."""
    children = [c for area in AREAS for c, *_ in synth.open_on(any_history, snapshot.day, area)]
    ages = Counter(_age(c, snapshot.day) for c in children)
    assert sum(n for age, n in ages.items() if 12 <= age <= 17) / len(children) >= 0.9
    assert ages.most_common(1)[0][0] == 14
    assert 0.85 <= sum(c.sex == "F" for c in children) / len(children) <= 0.89
    assert 0.4 <= sum(_in_care(c, snapshot.day) for c in children) / len(children) <= 0.6


def test_other_areas_have_plausible_caseloads_on_the_snapshot_days(history):
    for snapshot in synth.SNAPSHOTS:
        counts = {a: len(synth.open_on(history, snapshot.day, a)) for a in AREAS}
        for area in ("Bradford East", "Keighley", "Shipley"):
            assert 10 <= counts[area] <= 120, (snapshot.day, counts)


def test_open_on_counts_only_children_living_in_the_area_that_day(history):
    day = date(2016, 10, 27)
    for child, episode, level, ward in synth.open_on(history, day, "Bradford South"):
        address = synth.address_on(child, day)
        assert address is not None
        assert reference.ward_by_code()[address.ward_code].name == ward
        assert synth.is_open_on(episode, day)
        assert synth.level_on(episode, day) == level


# --------------------------------------------------------------------------- determinism


def test_the_same_seed_gives_an_equal_history(history):
    again = synth.generate()
    assert again == history


def test_another_seed_gives_a_different_but_still_exact_history(history, other):
    assert other != history
    assert [c.date_of_birth for c in other.children[:50]] != [
        c.date_of_birth for c in history.children[:50]
    ]
    assert synth.children_referred(other, "2015/16") == (569, 106)
    assert len(synth.open_on(other, date(2016, 10, 31), "Bradford West")) == 60


def test_until_defaults_to_a_fixed_date_and_is_exclusive(history):
    assert date(2026, 11, 25) == synth.DEFAULT_UNTIL
    last = max(local_date(r.received_at) for r in history.referrals)
    assert last < synth.DEFAULT_UNTIL


def test_until_before_2016_17_is_complete_is_refused():
    with pytest.raises(ValueError, match="2017-04-01"):
        synth.generate(until=date(2017, 3, 31))


def test_a_shorter_history_stops_at_until_and_keeps_the_figures():
    until = date(2019, 6, 1)
    short = _generate(2016, until)
    by_year = synth.referrals_by_financial_year(short)
    assert by_year["2016/17"] == 1153
    assert max(by_year) == "2019/20"
    assert synth.children_referred(short, "2015/16") == (569, 106)
    assert len(synth.open_on(short, date(2016, 10, 27), "Bradford South")) == 76
    moments = [r.decided_at for r in short.referrals] + [
        m for x in short.missing for m in (x.ended_at, x.return_interview_completed_at) if m
    ]
    assert max(local_date(m) for m in moments) < until
    assert max(e.opened for e in short.episodes) < until
    assert all(e.closed is None or e.closed < until for e in short.episodes)
    for child in short.children:
        for period in (*child.addresses, *child.care_periods):
            assert period.valid_from < until
            assert period.valid_to is None or period.valid_to < until


# ---------------------------------------------------------------------------- invariants


def test_keys_are_unique_and_references_resolve(any_history):
    h = any_history
    child_keys = [c.key for c in h.children]
    assert len(set(child_keys)) == len(child_keys)
    assert all(re.fullmatch(r"C\d{6}", k) for k in child_keys)
    episodes = {e.key: e for e in h.episodes}
    assert len(episodes) == len(h.episodes)
    assert len({r.key for r in h.referrals}) == len(h.referrals)
    assert len({m.key for m in h.missing}) == len(h.missing)
    known = set(child_keys)
    assert {r.child_key for r in h.referrals} == known  # every child was referred
    assert {e.child_key for e in h.episodes} <= known
    assert {m.child_key for m in h.missing} <= {e.child_key for e in h.episodes}
    for r in h.referrals:
        if r.episode_key is not None:
            assert episodes[r.episode_key].child_key == r.child_key


def test_a_child_has_at_most_one_episode_open_at_a_time(any_history):
    by_child: dict[str, list[synth.SynthEpisode]] = {}
    for e in any_history.episodes:
        by_child.setdefault(e.child_key, []).append(e)
    for episodes in by_child.values():
        episodes.sort(key=lambda e: e.opened)
        for before, after in pairwise(episodes):
            assert before.closed is not None
            assert before.closed <= after.opened


def test_episodes_close_with_a_reason_and_keep_their_risk_within_them(any_history):
    levels = {"low", "medium", "high"}
    for e in any_history.episodes:
        assert (e.closed is None) == (e.closure_reason is None)
        assert e.closed is None or e.opened < e.closed < synth.DEFAULT_UNTIL
        assert e.risk[0].effective == e.opened
        for change in e.risk:
            assert change.level in levels
            assert change.reason
            assert e.closed is None or change.effective < e.closed
        for before, after in pairwise(e.risk):
            assert before.effective < after.effective
            assert before.level != after.level


def test_each_episode_is_opened_by_a_referral_received_shortly_before(any_history):
    referrals = {r.key: r for r in any_history.referrals}
    by_episode: dict[str, list[synth.SynthReferral]] = {}
    for r in any_history.referrals:
        if r.episode_key:
            by_episode.setdefault(r.episode_key, []).append(r)
    for e in any_history.episodes:
        opening = referrals[e.opening_referral_key]
        assert opening.episode_key == e.key
        assert min(by_episode[e.key], key=lambda r: r.received_at) == opening
        received = local_date(opening.received_at)
        assert received <= e.opened <= received + timedelta(days=14)  # 5 working days at most
        assert local_date(opening.decided_at) == e.opened
        assert opening.screened_level == e.risk[0].level
        for later in by_episode[e.key]:
            assert e.closed is None or local_date(later.received_at) < e.closed


def test_referrals_are_well_formed(any_history):
    children = {c.key: c for c in any_history.children}
    for r in any_history.referrals:
        for moment in (r.received_at, r.decided_at):
            assert moment.tzinfo == LONDON
            assert moment.utcoffset() is not None
        assert r.received_at < r.decided_at
        assert local_date(r.received_at) >= date(2013, 4, 1)
        assert local_date(r.decided_at) < synth.DEFAULT_UNTIL
        assert _age(children[r.child_key], local_date(r.received_at)) < 18
        assert r.source in REFERRAL_SOURCES
        assert r.exploitation_types
        assert set(r.exploitation_types) <= {"cse", "cce", "trafficking", "online"}
        assert r.screened_level in {"none", "low", "medium", "high"}
        assert r.decision in DECISIONS
        assert r.concerns
        if r.episode_key is None:
            assert r.screened_level in {"none", "low"}
        else:
            assert r.screened_level != "none"


def test_decisions_mostly_come_within_a_working_day(any_history):
    quick = sum(
        (local_date(r.decided_at) - local_date(r.received_at)).days <= 3
        for r in any_history.referrals
    )
    office_hours = sum(
        r.received_at.weekday() < 5 and 8 <= r.received_at.hour < 18 for r in any_history.referrals
    )
    n = len(any_history.referrals)
    assert quick / n > 0.8
    assert quick < n  # some are late
    assert 0.7 < office_hours / n < 0.95


def test_cse_dominates_early_and_criminal_exploitation_grows(history):
    def share(kind: str, years: range) -> float:
        found = [r for r in history.referrals if r.received_at.year in years]
        return sum(kind in r.exploitation_types for r in found) / len(found)

    assert share("cse", range(2013, 2017)) > 0.8
    assert share("cce", range(2013, 2017)) < 0.15
    assert share("cce", range(2022, 2027)) > 2 * share("cce", range(2013, 2017))


def test_address_periods_are_chronological_and_do_not_overlap(any_history):
    wards = reference.ward_by_code()
    for child in any_history.children:
        assert child.addresses
        for period in child.addresses:
            assert period.valid_to is None or period.valid_from < period.valid_to
            assert period.valid_from >= child.date_of_birth
            ward = wards[period.ward_code]
            outward, inward = period.postcode.split(" ")
            assert outward in reference.POSTCODE_DISTRICTS[ward.name]
            assert re.fullmatch(r"\dZ[WXYZ]", inward)
        for before, after in pairwise(child.addresses):
            assert before.valid_to is not None
            assert before.valid_to <= after.valid_from


def test_care_periods_are_valid_and_end_by_eighteen(any_history):
    kinds = {"child_in_need", "child_protection_plan", "looked_after"}
    for child in any_history.children:
        for before, after in pairwise(child.care_periods):
            assert before.valid_to is not None
            assert before.valid_to <= after.valid_from
        for period in child.care_periods:
            assert period.kind in kinds
            assert period.valid_from >= child.date_of_birth
            assert period.valid_to is None or period.valid_from < period.valid_to
            assert period.valid_to is None or period.valid_to <= add_years(child.date_of_birth, 18)


def test_children_are_obviously_synthetic_and_coded(any_history):
    family_names = {
        stem + ending
        for stem in reference.FAMILY_NAME_STEMS
        for ending in reference.FAMILY_NAME_ENDINGS
    }
    sources = {"self_identified", "parent_carer", "observed_by_professional", "not_obtained"}
    for c in any_history.children:
        assert c.family_name in family_names
        names = reference.GIVEN_NAMES_F if c.sex == "F" else reference.GIVEN_NAMES_M
        assert c.sex in {"F", "M"}
        assert c.given_name in names
        assert c.ethnicity in ETHNICITIES
        assert c.ethnicity_source in sources
        assert (c.ethnicity == "NOBT") == (c.ethnicity_source == "not_obtained")
        assert not c.dob_approximate or c.date_of_birth.day == 1
        assert c.arrived_uk is None or c.date_of_birth < c.arrived_uk
        assert c.first_language
        assert c.nationality


def test_missing_episodes_are_timed_in_order(any_history):
    for m in any_history.missing:
        assert m.started_at.tzinfo == LONDON
        if m.ended_at is None:
            assert m.return_interview_offered_at is None
            continue
        assert m.started_at < m.ended_at
        if m.return_interview_offered_at is None:
            assert m.return_interview_completed_at is None
        else:
            assert m.ended_at < m.return_interview_offered_at
        if m.return_interview_completed_at is not None:
            assert m.return_interview_offered_at is not None
            assert m.return_interview_offered_at <= m.return_interview_completed_at


def test_most_return_interviews_are_within_72_hours(any_history):
    returned = [m for m in any_history.missing if m.ended_at is not None]
    assert 200 <= len(any_history.missing) <= 900
    on_time = late = not_done = 0
    for m in returned:
        done = m.return_interview_completed_at
        assert m.ended_at is not None
        if done is None:
            not_done += 1
        elif done - m.ended_at <= timedelta(hours=72):
            on_time += 1
        else:
            late += 1
    assert on_time / len(returned) > 0.6
    assert late > 0
    assert not_done > 0


def test_missing_children_were_open_to_the_hub_when_they_went_missing(history):
    by_child: dict[str, list[synth.SynthEpisode]] = {}
    for e in history.episodes:
        by_child.setdefault(e.child_key, []).append(e)
    for m in history.missing:
        day = local_date(m.started_at)
        assert any(synth.is_open_on(e, day) for e in by_child[m.child_key])


# ------------------------------------------------------------------------------- shape


def test_ethnicity_looks_like_bradford_with_a_data_quality_story(history):
    children = history.children
    counts = Counter(c.ethnicity for c in children)
    assert [code for code, _ in counts.most_common(2)] == ["WBRI", "APKN"]
    for code in ("WROM", "WOTH", "NOBT", "REFU"):
        assert counts[code] > 0
    sources = Counter(c.ethnicity_source for c in children)
    assert 0.1 < sources["observed_by_professional"] / len(children) < 0.35
    first_referral = {}
    for r in history.referrals:
        first_referral.setdefault(r.child_key, local_date(r.received_at))
    newcomers = [
        c
        for c in children
        if c.ethnicity in {"WROM", "WOTH"}
        and c.arrived_uk is not None
        and first_referral[c.key] - c.arrived_uk <= timedelta(days=5 * 366)
    ]
    assert len(newcomers) > 100
    assert sum(c.first_language != "English" for c in newcomers) / len(newcomers) > 0.8
    recent = [c for c in newcomers if first_referral[c.key] >= date(2021, 11, 25)]
    assert recent  # arrivals in the five years before the history ends


def test_the_history_is_modest_in_size(history):
    assert 12_000 <= len(history.referrals) <= 16_000
    assert len(history.children) < 12_000
    assert len(history.episodes) < 7_500


def test_financial_years_are_counted_by_london_date():
    # 23:30 UTC on 31 March 2016 is already 1 April in London (BST).
    moment = datetime(2016, 3, 31, 23, 30, tzinfo=UTC)
    assert fy_of(local_date(moment)) == "2016/17"


# -------------------------------------------------------------------------- internals


def test_2015_16_is_made_exact_even_when_episodes_bring_too_many_repeat_referrals():
    """The default seeds never need to trim; this forces the trimming path."""
    gen = build.Generator(1, synth.DEFAULT_UNTIL)
    refs = []
    for n in range(120):
        opened = date(2015, 5, 1) + timedelta(days=n)
        child = gen.new_child("F", (14, opened), opened)
        ep = gen.episode(child, opened, 300)
        for k in range(3):  # the opening referral and two more, all in 2015/16
            received = datetime(2015, 6, 1 + k, 10, tzinfo=LONDON) + timedelta(days=n)
            referral = gen.referral(child, received, ("cse",), "low", build._JOIN_DECISION["low"])  # noqa: SLF001
            referral.opening = k == 0
            refs.append(referral)
        gen.episodes.append(ep)
    first, stop = date(2015, 4, 1), date(2016, 4, 1)
    days = [first + timedelta(days=n) for n in range((stop - first).days)]
    cum = [float(n + 1) for n in range(len(days))]
    removed = balance.shape_2015(gen, refs, days, cum)
    kept = [r for r in refs if r.uid not in removed]
    assert removed
    assert not any(r.opening for r in refs if r.uid in removed)
    per_child = Counter(r.child.uid for r in [*kept, *gen.referrals])
    assert len(per_child) == 569
    assert sum(n > 1 for n in per_child.values()) == 106
    assert sum(per_child.values()) == 713


def test_the_generator_imports_no_django_and_no_other_safehub_code():
    package = resources.files("safehub.demo.history")
    for entry in package.iterdir():
        if not entry.name.endswith(".py"):
            continue
        tree = ast.parse(entry.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("django"), (entry.name, name)
                if name.startswith("safehub"):
                    assert name.startswith("safehub.demo.history"), (entry.name, name)
