from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path


def test_unknown_page_is_a_gov_uk_404(hub_practitioner_client: Client) -> None:
    response = hub_practitioner_client.get("/no-such-page")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page
    assert "govuk-footer" in page


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("broken", _broken), path("", include("safehub.urls"))]
handler500 = "safehub.web.views.server_error"


@pytest.mark.urls(__name__)
def test_a_crash_is_a_gov_uk_500_with_a_reference_to_quote(
    hub_practitioner_client: Client,
) -> None:
    hub_practitioner_client.raise_request_exception = False
    response = hub_practitioner_client.get("/broken")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert response["X-Request-ID"] in page
    assert "a bug" not in page


def test_app_serves_the_compiled_gov_uk_stylesheet(client: Client) -> None:
    response = client.get("/static/web/app.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = b"".join(response.streaming_content).decode()
    assert ".govuk-service-navigation" in css
    assert "GDS Transport" not in css, "the GOV.UK font is for GOV.UK services only"


def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
