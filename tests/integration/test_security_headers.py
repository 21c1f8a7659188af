"""Security headers on every response, and templates the Content-Security-Policy can allow.

The policy forbids inline script and inline style, so a template with a `<script>` body, a
`style="…"` attribute, a `<style>` element or an `on…=` handler would break under it in the
browser. The scan below finds them in the template files before a browser has to.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client

from safehub.access.models import User
from safehub.people import services as people
from safehub.web.middleware import CONTENT_SECURITY_POLICY

SRC = Path(__file__).resolve().parents[2] / "src" / "safehub"
TEMPLATES = sorted(
    p
    for p in SRC.rglob("*")
    if p.suffix in {".html", ".jinja", ".j2", ".svg"} and "templates" in p.parts
)
# Whole documents that are never shown under the page policy: rendered to PDF by WeasyPrint or
# sent as a download (`Content-Disposition: attachment`), they carry their own stylesheet.
# Script and style attributes are still refused in them.
DOWNLOADED_DOCUMENTS = {
    "reports/templates/reports/committee.html",
    "casefile/templates/casefile/chronology_pdf.html",
    "meetings/templates/meetings/minutes_pdf.html",
}
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
INLINE_HANDLER = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"(?:^|\s)style\s*=", re.IGNORECASE)
DATA_SCRIPT_TYPES = re.compile(r"type\s*=\s*[\"']application/(?:ld\+)?json[\"']", re.IGNORECASE)


def _problems(text: str, *, document: bool = False) -> list[str]:
    problems = []
    for match in TAG.finditer(text):
        name, attributes = match.group(1).lower(), match.group(2)
        if (
            name == "script"
            and "src=" not in attributes
            and not DATA_SCRIPT_TYPES.search(attributes)
        ):
            problems.append("inline <script>")
        if name == "style" and not document:
            problems.append("<style> element")
        if STYLE_ATTRIBUTE.search(attributes):
            problems.append(f"style attribute on <{name}>")
        if INLINE_HANDLER.search(attributes):
            problems.append(f"inline event handler on <{name}>")
        if "javascript:" in attributes.lower():
            problems.append(f"javascript: URL on <{name}>")
    return problems


def test_the_scan_finds_what_the_policy_would_block() -> None:
    assert _problems('<script src="/static/app.mjs"></script>') == []
    assert _problems('<script type="application/json" id="s">{}</script>') == []
    assert _problems("<script>alert(1)</script>") == ["inline <script>"]
    assert _problems('<p class="x" style="color: red">') == ["style attribute on <p>"]
    assert _problems("<style>p {}</style>") == ["<style> element"]
    assert _problems("<style>p {}</style>", document=True) == []
    assert _problems('<a href="#" onclick="go()">') == ["inline event handler on <a>"]


def test_no_template_has_inline_script_or_style() -> None:
    assert len(TEMPLATES) > 20, "the scan found too few templates: the glob is wrong"
    found = {
        str(path.relative_to(SRC)): problems
        for path in TEMPLATES
        if (
            problems := _problems(
                path.read_text(encoding="utf-8"),
                document=str(path.relative_to(SRC)) in DOWNLOADED_DOCUMENTS,
            )
        )
    }
    assert found == {}, "move these to static files or classes in web/assets/app.scss"


@pytest.mark.parametrize("path", ["/sign-in", "/healthz", "/api/v1/openapi.json"])
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_policy_allows_no_inline_code_and_no_framing() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def _case_pages(client: Client) -> list[str]:
    """A child's page and API record, a 404 for a child that does not exist, and the lists."""
    user = client.get("/api/v1/openapi.json").wsgi_request.user
    assert isinstance(user, User)
    child = people.register_child(
        acting_user=user,
        given_name="Exempla",
        family_name="Fictitious",
        date_of_birth=dt.date(2011, 5, 6),
        sex="F",
        ethnicity="WOTH",
        ethnicity_source="parent_carer",
    )
    return [
        f"/children/{child.pk}",
        f"/api/v1/children/{child.pk}",
        "/children/999999",
        "/api/v1/children/999999",
        "/triage",
        "/",
    ]


def test_no_page_or_api_response_may_be_stored_by_a_browser_or_proxy(
    hub_practitioner_client: Client,
) -> None:
    for path in _case_pages(hub_practitioner_client):
        response = hub_practitioner_client.get(path)
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, (path, response.status_code)


@pytest.mark.parametrize("path", ["/sign-in", "/healthz", "/api/v1/openapi.json"])
def test_anonymous_responses_are_not_stored_either(client: Client, path: str) -> None:
    assert "no-store" in client.get(path)["Cache-Control"]


def test_static_files_stay_cacheable(client: Client) -> None:
    response = client.get("/static/web/app.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
