"""The only way awareness sessions change: an import, all or nothing, checked row by row.

`import_sessions` reads a CSV file (docs/import-format.md, "Awareness sessions"), checks every
row and lists every problem with its row number and column; any problem means nothing is
written. A row whose `reference` is already in Safehub is skipped, so importing the same file
again adds nothing. The whole import is one transaction, under the import lock every import
takes, with one audit event for the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.awareness.models import AudienceType, Programme, Session, Target
from safehub.geo.models import Ward, WardSet
from safehub.referrals.import_lock import import_transaction
from safehub.referrals.import_records import RowProblem
from safehub.rules import codes, plausibility, textfiles

COLUMNS = (
    "reference",
    "programme",
    "date",
    "venue",
    "ward_code",
    "audience_type",
    "reached",
    "delivered_by",
    "community",
)
OPTIONAL = frozenset({"ward_code", "community"})
LENGTHS = {"reference": 60, "venue": 200, "delivered_by": 200}


class AwarenessImportError(Exception):
    """The file was refused; `result.problems` says why, row by row."""

    def __init__(self, result: AwarenessImport) -> None:
        super().__init__(f"{len(result.problems)} problem(s); nothing was imported")
        self.result = result


@dataclass
class AwarenessImport:
    sessions: int = 0
    reached: int = 0
    already_imported: int = 0
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)


def import_sessions(
    data: bytes, *, acting_user: Principal, dry_run: bool = False
) -> AwarenessImport:
    """Check the whole file, then write every new session in one transaction, or none."""
    require(acting_user, "awareness:import")
    result = AwarenessImport(dry_run=dry_run)
    try:
        text = textfiles.decode(data)
    except textfiles.NotUtf8Error as error:
        result.problems.append(RowProblem(0, "", error.message))
        raise AwarenessImportError(result) from None
    with import_transaction():
        sessions = _checked(text, result)
        if result.problems:
            raise AwarenessImportError(result)
        known = set(
            Session.objects.filter(reference__in=[s.reference for s in sessions]).values_list(
                "reference", flat=True
            )
        )
        new = [s for s in sessions if s.reference not in known]
        result.already_imported = len(sessions) - len(new)
        result.sessions = len(new)
        result.reached = sum(s.reached for s in new)
        if dry_run:
            return result
        now = timezone.now()
        for session in new:
            session.recorded_at = now
            session.recorded_by = user_or_none(acting_user)
        Session.objects.bulk_create(new)
        audit.write(
            acting_user,
            "awareness:sessions:imported",
            object_type="awareness.session",
            object_id=f"{len(new)} new, {result.already_imported} already imported",
        )
    return result


def _checked(text: str, result: AwarenessImport) -> list[Session]:  # noqa: C901 - header, then rows
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
        unknown = [h for h in header if h not in COLUMNS]
        if missing or unknown:
            if missing:
                result.problems.append(
                    RowProblem(1, "", f"missing column(s): {', '.join(missing)}")
                )
            if unknown:
                result.problems.append(
                    RowProblem(1, "", f"unknown column(s): {', '.join(unknown)}")
                )
            return []
        rows = [(number, row) for number, row in enumerate(reader, start=2) if any(row)]
    except csv.Error as error:
        result.problems.append(RowProblem(reader.line_num, "", f"is not valid CSV ({error})"))
        return []
    if not rows:
        result.problems.append(RowProblem(0, "", "the file holds no sessions"))
        return []
    known = _Known()
    seen: dict[str, int] = {}
    sessions = []
    for number, row in rows:
        if len(row) != len(header):
            result.problems.append(
                RowProblem(number, "", f"has {len(row)} values; the header has {len(header)}")
            )
            continue
        values = dict(zip(header, row, strict=True))
        reference = values["reference"].strip()
        if reference in seen:
            result.problems.append(
                RowProblem(number, "reference", f"repeats the reference of row {seen[reference]}")
            )
            continue
        if reference:
            seen[reference] = number
        session = _session(number, values, known, result)
        if session is not None:
            sessions.append(session)
    return sessions


class _Known:
    """What rows are checked against, read once for the whole file: programmes, wards, today."""

    def __init__(self) -> None:
        self.programmes = {p.code: p for p in Programme.objects.filter(is_active=True)}
        self.today = timezone.localdate()
        self.sets = list(WardSet.objects.order_by("-valid_from"))
        self.wards = {(w.ward_set_id, w.code): w for w in Ward.objects.defer("boundary")}

    def ward(self, day: dt.date, code: str) -> Ward | None:
        for ward_set in self.sets:  # newest first, as geo.services.ward_set_on chooses
            if ward_set.valid_from <= day and (
                ward_set.valid_to is None or day < ward_set.valid_to
            ):
                return self.wards.get((ward_set.pk, code))
        return None


def _session(  # noqa: C901 - one check per column, in the file's order
    number: int,
    values: dict[str, str],
    known: _Known,
    result: AwarenessImport,
) -> Session | None:
    problems: list[RowProblem] = []

    def text(name: str) -> str:
        value = values.get(name, "").strip()
        if (why := textfiles.bad_character(value) or textfiles.too_long(value)) is not None:
            problems.append(RowProblem(number, name, why))
            return ""
        if not value and name not in OPTIONAL:
            problems.append(RowProblem(number, name, "is required"))
        elif name in LENGTHS and len(value) > LENGTHS[name]:
            problems.append(RowProblem(number, name, f"must be at most {LENGTHS[name]} characters"))
        return value

    reference = text("reference")
    code = text("programme")
    programmes = known.programmes
    programme = programmes.get(code)
    if code and programme is None:
        names = ", ".join(sorted(programmes)) or "none yet: an administrator adds them in /admin/"
        problems.append(RowProblem(number, "programme", f"{code!r} is not a programme ({names})"))
    delivered_on = None
    if raw := text("date"):
        try:
            delivered_on = dt.date.fromisoformat(raw)
        except ValueError:
            problems.append(RowProblem(number, "date", f"{raw!r} is not a date like 2016-03-14"))
    venue = text("venue")
    audience = text("audience_type")
    if audience and audience not in AudienceType.values:
        problems.append(
            RowProblem(
                number,
                "audience_type",
                f"{audience!r} is not one of {', '.join(AudienceType.values)}",
            )
        )
    reached = None
    if raw := text("reached"):
        if raw.isdecimal():
            reached = int(raw)
        else:
            problems.append(RowProblem(number, "reached", f"{raw!r} is not a whole number"))
    delivered_by = text("delivered_by")
    community = text("community")
    problems.extend(_community_problems(number, community))
    for name, message in plausibility.awareness_session(delivered_on, reached, today=known.today):
        problems.append(RowProblem(number, name, message))
    ward = None
    if (ward_code := text("ward_code")) and delivered_on is not None:
        ward = known.ward(delivered_on, ward_code)
        if ward is None:
            problems.append(
                RowProblem(
                    number,
                    "ward_code",
                    f"{ward_code!r} is not a ward in force on {delivered_on:%-d %B %Y}",
                )
            )
    if problems:
        result.problems.extend(problems)
        return None
    if programme is None or delivered_on is None or reached is None:
        return None  # each already noted as a problem
    return Session(
        reference=reference,
        programme=programme,
        delivered_on=delivered_on,
        venue=venue,
        ward=ward,
        audience_type=audience,
        reached=reached,
        delivered_by=delivered_by,
        community=community,
    )


def _community_problems(number: int, community: str) -> list[RowProblem]:
    """A community must be one of the code list's (`rules.codes.Community`), or empty."""
    allowed = [c.value for c in codes.Community]
    if not community or community in allowed:
        return []
    return [
        RowProblem(
            number,
            "community",
            f"{community!r} is not one of {', '.join(allowed)} "
            "(or empty for a session open to everyone)",
        )
    ]


@dataclass(frozen=True)
class TargetSpec:
    """A target population: for the district (no ward) or one ward, one year or every year."""

    programme: str
    population: int
    ward: Ward | None = None
    financial_year: int | None = None
    note: str = ""


@transaction.atomic
def set_targets(specs: list[TargetSpec], *, acting_user: Principal) -> int:
    """Set each target (replacing the population of one already set); how many changed."""
    require(acting_user, "awareness:manage")
    programmes = {p.code: p for p in Programme.objects.all()}
    changed = 0
    for spec in specs:
        target, created = Target.objects.get_or_create(
            programme=programmes[spec.programme],
            ward=spec.ward,
            financial_year=spec.financial_year,
            defaults={"population": spec.population, "note": spec.note},
        )
        if not created and (target.population, target.note) == (spec.population, spec.note):
            continue
        if not created:
            target.population, target.note = spec.population, spec.note
            target.save(update_fields=["population", "note"])
        audit.write(acting_user, f"awareness:target:{'created' if created else 'changed'}", target)
        changed += 1
    return changed


# The programmes most hubs run (also added by migration 0002 on a new installation). The
# demo and tests add them here too: a test that empties the database takes migrated rows away.
STANDARD_PROGRAMMES = (
    ("taxi", "Taxi and private hire driver training", "Licensed taxi and private hire drivers"),
    ("pts", "Patient transport (PTS) driver training", "Patient transport service drivers"),
    ("bus", "Bus driver training", "Bus drivers employed in the district"),
    ("hotel", "Hotel and night-time economy staff", "Hotel, bar and late-night venue staff"),
    ("school-play-primary", "Primary school play", "Pupils in the primary year groups shown"),
    ("school-play-secondary", "Secondary school play", "Pupils in the secondary year groups shown"),
    ("parents", "Parents and carers", "Parents and carers of children in the district"),
    ("professionals", "Professionals", "Staff of partner agencies working with children"),
)


@transaction.atomic
def ensure_standard_programmes(*, acting_user: Principal) -> int:
    """Add any standard programme missing (by code); one an administrator changed is kept."""
    require(acting_user, "awareness:manage")
    added = 0
    for order, (code, name, target) in enumerate(STANDARD_PROGRAMMES, start=1):
        programme, created = Programme.objects.get_or_create(
            code=code, defaults={"name": name, "target_description": target, "order": order}
        )
        if created:
            audit.write(acting_user, "awareness:programme:created", programme)
            added += 1
    return added
