"""Page objects: one per screen, so tests read as what a user does."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django_otp.oath import totp
from playwright.sync_api import Locator, Page, Response

from safehub.demo import services as demo


class SignInPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> SignInPage:
        self.page.goto(f"{self.base_url}/sign-in")
        return self

    def sign_in(self, username: str, password: str) -> None:
        """Both steps: the password, then (when asked) the code from the demo account's app."""
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Sign in").click()
        if self.page.url.split("?", 1)[0].endswith("/sign-in/code"):
            CodePage(self.page).enter(demo_code(username))

    @property
    def error_summary(self) -> Locator:
        return self.page.locator(".govuk-error-summary")


def demo_code(username: str) -> str:
    """The code a demo account's authenticator app shows now (its key is derived, see
    `safehub.demo.services.demo_totp_key`)."""
    return f"{totp(bytes.fromhex(demo.demo_totp_key(username))):06d}"


class CodePage:
    """The second sign-in step."""

    LABEL = "Enter the 6-digit code from your authenticator app"

    def __init__(self, page: Page) -> None:
        self.page = page

    def enter(self, code: str) -> None:
        self.page.get_by_label(self.LABEL).fill(code)
        self.page.get_by_role("button", name="Continue").click()


class HomePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()


def fill_date(page: Page, field_id: str, day: int, month: int, year: int) -> None:
    """Fill a GOV.UK date input (day, month and year boxes) by its field id."""
    page.locator(f"#{field_id}_0").fill(str(day))
    page.locator(f"#{field_id}_1").fill(str(month))
    page.locator(f"#{field_id}_2").fill(str(year))


class FindChildPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> FindChildPage:
        self.page.goto(f"{self.base_url}/children/search")
        return self

    def search(self, name: str) -> None:
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_role("button", name="Search").click()


class NewChildPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def record(self, *, given: str, family: str, born: tuple[int, int, int], ward: str) -> None:
        self.page.get_by_label("First name").fill(given)
        self.page.get_by_label("Last name").fill(family)
        fill_date(self.page, "id_date_of_birth", *born)
        self.page.get_by_label("Female").check()
        self.page.get_by_label("Ethnicity", exact=True).select_option("WBRI")
        self.page.get_by_label("Given by the child").check()
        self.page.get_by_label("Ward (if the postcode is not known)").select_option(label=ward)
        self.page.get_by_role("button", name="Save child").click()


class ReferralFormPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def record(self, *, received: tuple[int, int, int], time: str, concerns: str) -> None:
        fill_date(self.page, "id_received_at_0", *received)
        self.page.locator("#id_received_at_1").fill(time)
        self.page.get_by_label("Where did it come from?").select_option("6")
        self.page.get_by_label("Child sexual exploitation").check()
        self.page.get_by_label("What are the concerns?").fill(concerns)
        self.page.get_by_role("button", name="Save and screen the risk").click()


class ScreeningFormPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def tick(self, *indicator_texts: str) -> None:
        for text in indicator_texts:
            self.page.get_by_label(text).check()

    def save(self) -> None:
        self.page.get_by_role("button", name="Save screening").click()


class DecisionFormPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def decide(self, outcome: str, rationale: str) -> None:
        self.page.get_by_label(outcome).check()
        self.page.get_by_label("Reasons for the decision").fill(rationale)
        self.page.get_by_role("button", name="Save decision").click()


class TriagePage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> TriagePage:
        self.page.goto(f"{self.base_url}/triage")
        return self

    def row_for(self, child_name: str) -> Locator:
        return self.page.locator("#queue tr", has_text=child_name)


# --- accessibility: axe-core and reflow, over every page a test reaches -----------------------

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REFLOW_WIDTH = 320  # CSS pixels: WCAG 1.4.10, 1280 px at 400% zoom
# Pages that are not ours to lay out, and why. Swagger UI (the API's interactive docs, for the
# developers of partners' systems, never for practitioners) fails axe's colour-contrast,
# nested-interactive and target-size rules in its own markup; only the page around it is ours.
NOT_AUDITED = {"/api/v1/docs": "Swagger UI's own markup (third party)"}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(
    (v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
  );
}"""


@functools.cache
def _axe_source() -> str:
    if not AXE.exists():
        msg = f"{AXE} is missing: run `npm ci` (axe-core is a locked dev dependency)"
        raise FileNotFoundError(msg)
    return AXE.read_text()


@dataclass(frozen=True)
class Visit:
    """A page as the browser was given it: a GET can be asked for again; the page a POST
    answered (a form with its errors) is kept as it came."""

    url: str
    body: str | None = None


@dataclass
class AccessibilityAudit:
    """Record every HTML page the test's browser is shown, then check each one: axe-core's
    WCAG 2.2 AA rules, and no sideways scroll at 320 CSS pixels.

    The check runs after the test, not as each page loads: a page checked mid-test would race
    the test's own clicks. GET pages are loaded again; a POST's answer is served back from
    what was recorded (it would not be right to post again). axe is injected by evaluating its
    source through the DevTools protocol, which the page's Content-Security-Policy does not
    govern, so the pages are checked under the same strict policy users get.
    """

    page: Page
    visits: dict[str, Visit] = field(default_factory=dict)

    def watch(self) -> None:
        self.page.on("response", self._record)

    def _record(self, response: Response) -> None:
        request = response.request
        if not request.is_navigation_request() or response.frame != self.page.main_frame:
            return
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        if response.status >= 300 and response.status < 400:
            return
        if request.method == "GET":
            self.visits.setdefault(f"GET {response.url}", Visit(response.url))
        else:
            self.visits[f"{request.method} {response.url} {len(self.visits)}"] = Visit(
                response.url, response.text()
            )

    def problems(self) -> list[str]:
        found: list[str] = []
        for visit in list(self.visits.values()):
            if urlsplit(visit.url).path in NOT_AUDITED:
                continue
            found.extend(f"{visit.url}: {p}" for p in self._check(visit))
        return found

    def _check(self, visit: Visit) -> list[str]:
        page = self.page
        page.set_viewport_size({"width": 1280, "height": 800})
        if visit.body is None:
            page.goto(visit.url)
        else:
            body = visit.body
            page.route(
                visit.url,
                lambda route: route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=body
                ),
            )
            page.goto(visit.url)
            page.unroute(visit.url)
        page.evaluate(_axe_source())
        problems = [f"axe {v}" for v in page.evaluate(RUN_AXE, WCAG_22_AA)]
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > REFLOW_WIDTH:
            wide = page.evaluate(WIDEST, REFLOW_WIDTH)
            problems.append(f"{width} px wide at {REFLOW_WIDTH} px (widest: {wide})")
        # Small screens lay some things out differently (stacked tables): check them too.
        problems.extend(
            f"axe at {REFLOW_WIDTH} px {v}"
            for v in page.evaluate(RUN_AXE, WCAG_22_AA)
            if f"axe {v}" not in problems
        )
        return problems


WIDEST = """(limit) => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > limit + 1)
  .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`
    + ` (${Math.round(e.getBoundingClientRect().right)})`)
  .slice(-5).join("; ")"""
