"""The tables rendered by Jinja2 escape what they show, show times as Django's templates do, and
refuse a name they were not given."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from jinja2 import UndefinedError

HOSTILE = "<script>alert('x')</script>"


def _child(name: str = "Ana O'Neil") -> SimpleNamespace:
    return SimpleNamespace(pk=7, full_name=name)


def _item(**overrides: object) -> SimpleNamespace:
    fields: dict[str, object] = {
        "rag": "red",
        # 09:30 UTC on a summer day is 10:30 in London, as Django's templates show it.
        "due": dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC),
        "remaining_text": "Overdue by 2 hours",
        "child": _child(),
        "link": "/referrals/3/screen",
        "label": "Screen the referral",
        "risk_label": "High",
        "worker": None,
    }
    return SimpleNamespace(**(fields | overrides))


def _render(source: str, **context: object) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def test_the_due_table_escapes_names_and_shows_local_times() -> None:
    items = [_item(), _item(rag="green", child=_child(HOSTILE), label=HOSTILE)]
    html = _render(
        '{% jinja "triage/due_table.html" items=items table_id="queue" caption="Due"'
        " show_worker=True %}",
        items=items,
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Ana O&#39;Neil" in html
    assert "1 Jul 2026, 10:30" in html
    assert html.count("Unallocated") == 2
    assert 'class="govuk-tag app-rag-red">Overdue<' in html
    assert 'class="govuk-tag app-rag-green">On track<' in html


def test_the_worker_column_shows_only_when_asked() -> None:
    worker = SimpleNamespace(get_full_name=lambda: "", username="hub.worker")
    html = _render(
        '{% jinja "triage/due_table.html" items=items table_id="due" caption="Due"'
        " show_worker=False %}",
        items=[_item(worker=worker)],
    )
    assert "Worker" not in html
    assert "hub.worker" not in html


def test_the_timeline_escapes_detail_and_keeps_its_line_breaks() -> None:
    entries = [
        SimpleNamespace(
            at=dt.date(2026, 3, 2),
            has_time=False,
            title="Case note",
            link="",
            detail=f"First line\n{HOSTILE}",
        )
    ]
    html = _render('{% jinja "casefile/timeline.html" timeline=entries %}', entries=entries)
    assert "2 March 2026" in html
    assert "First line<br>&lt;script&gt;" in html
    assert "<script>" not in html


def test_search_results_say_what_is_not_known_and_escape_names() -> None:
    child = SimpleNamespace(
        pk=9, full_name=HOSTILE, date_of_birth=None, dob_approximate=False, nhs_number=""
    )
    result = SimpleNamespace(
        child=child,
        flags=[],
        age=None,
        ward=None,
        episode_opened_on=dt.date(2026, 1, 5),
        risk_level="high",
        latest_referral_at=None,
    )
    html = _render('{% jinja "people/search_results.html" results=results %}', results=[result])
    assert 'data-label="Date of birth">Not known<' in html
    assert 'data-label="Ward">Not known<' in html
    assert 'data-label="Latest referral">None<' in html
    assert 'data-label="NHS number">Not recorded<' in html
    assert ">High risk</strong><br>Open since 5 Jan 2026<" in html
    assert "<script>" not in html


def test_a_name_the_table_was_not_given_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        _render('{% jinja "triage/due_table.html" items=items %}', items=[_item()])
