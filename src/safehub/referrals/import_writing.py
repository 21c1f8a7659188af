"""A referral import's second half: whose referral each row is, then every write in bulk.

Matching reads what it needs once, in a few batched queries (the children in the importing
user's scope with the file's NHS numbers or dates of birth, the external references already
used, the addresses of matched children), and then looks rows up in dictionaries, so a file
of any length is matched in one pass. Writing makes the same records, history rows and audit
events the services make when the same referrals are entered by hand (`people.services.
register_child` and `record_address`, `referrals.services.receive_referral`), in bulk: a row
at a time, a 100,000-row file took hours.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, models
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from safehub.access.policy import Principal, user_or_none
from safehub.audit import services as audit
from safehub.geo import services as geo
from safehub.matching import index as matching_index
from safehub.people.models import AddressPeriod, Child
from safehub.people.queries import children_for
from safehub.referrals import queries
from safehub.referrals.bulk import create_with_history
from safehub.referrals.import_records import ReferralImport, Row, RowProblem
from safehub.referrals.models import Referral

BATCH = 5000
_LOOKUP = 500  # values per IN (…): SQLite caps the parameters of one query
Progress = Callable[[str, int, int], None]
M = TypeVar("M", bound=models.Model)


@dataclass
class NewChild:
    """A child this import registers, from the first row that names them."""

    first: Row
    child: Child | None = None


@dataclass(frozen=True)
class Planned:
    row: Row
    existing: int | None  # the pk of a child already in Safehub
    new: NewChild | None


@dataclass
class Plan:
    rows: list[Planned] = field(default_factory=list)
    new_children: list[NewChild] = field(default_factory=list)


def _name_key(given: str, family: str, born: dt.date | None) -> tuple[str, str, dt.date | None]:
    return given.casefold(), family.casefold(), born


class _Candidates:
    """The children a row may be about: in Safehub (in scope) and registered by this file."""

    def __init__(self, rows: Sequence[Row], acting_user: Principal) -> None:
        scope = children_for(acting_user)
        self.known_by_nhs: dict[str, list[int]] = defaultdict(list)
        for chunk in _chunks(sorted({r.nhs_number for r in rows if r.nhs_number})):
            for pk, number in scope.filter(nhs_number__in=chunk).values_list("pk", "nhs_number"):
                self.known_by_nhs[number].append(pk)
        # (pk, has an NHS number) of each child in scope by names and date of birth.
        self.known_by_name: dict[tuple[str, str, dt.date | None], list[tuple[int, bool]]] = (
            defaultdict(list)
        )
        for chunk in _chunks(sorted({r.date_of_birth for r in rows})):
            found = scope.filter(date_of_birth__in=chunk).values_list(
                "pk", "given_name", "family_name", "date_of_birth", "nhs_number"
            )
            for pk, given, family, born, number in found:
                self.known_by_name[_name_key(given, family, born)].append((pk, bool(number)))
        self.new_by_nhs: dict[str, list[NewChild]] = defaultdict(list)
        self.new_by_name: dict[tuple[str, str, dt.date | None], list[NewChild]] = defaultdict(list)

    def add(self, new: NewChild) -> None:
        first = new.first
        if first.nhs_number:
            self.new_by_nhs[first.nhs_number].append(new)
        self.new_by_name[
            _name_key(first.given_name, first.family_name, first.date_of_birth)
        ].append(new)

    def match(self, row: Row) -> tuple[int | None, NewChild | None, str]:  # noqa: PLR0911 - one answer per rule
        """(known child, new child, column of an ambiguity) for a row: see `plan`."""
        if row.nhs_number:
            known = self.known_by_nhs.get(row.nhs_number, [])
            planned = self.new_by_nhs.get(row.nhs_number, [])
            if len(known) + len(planned) > 1:
                return None, None, "nhs_number"
            if known:
                return known[0], None, ""
            if planned:
                return None, planned[0], ""
        key = _name_key(row.given_name, row.family_name, row.date_of_birth)
        known_pks = [pk for pk, numbered in self.known_by_name.get(key, [])]
        same = list(self.new_by_name.get(key, []))
        if row.nhs_number:  # a child recorded with another number is another child
            known_pks = [pk for pk, numbered in self.known_by_name.get(key, []) if not numbered]
            same = [n for n in same if not n.first.nhs_number]
        if len(known_pks) + len(same) > 1:
            return None, None, "given_name"
        if known_pks:
            return known_pks[0], None, ""
        if same:
            return None, same[0], ""
        return None, NewChild(first=row), ""


def plan(rows: Sequence[Row], acting_user: Principal, result: ReferralImport) -> Plan:
    """Which rows to import and whose referral each is: a known child, or one to register.

    A row's child is found by NHS number, else by exact names (ignoring case) and date of
    birth; children this import registers count as candidates too, so two rows about a new
    child make one child. A child recorded with a different NHS number is a different child,
    however alike the names; more than one candidate is a problem to resolve by hand (give
    the NHS number), never a guess. Rows go in the order they were received, so a child's
    addresses are recorded in order.
    """
    already = queries.existing_external_references(
        acting_user, (r.external_reference for r in rows)
    )
    candidates = _Candidates(rows, acting_user)
    planned = Plan()
    matched: set[int] = set()
    for row in sorted(rows, key=lambda r: (r.received_at, r.row)):
        if row.external_reference in already:
            result.already_imported += 1
            continue
        existing, new, ambiguous = candidates.match(row)
        if ambiguous:
            result.problems.append(
                RowProblem(
                    row.row, ambiguous, "matches more than one child; give the NHS number to choose"
                )
            )
            continue
        if existing is not None:
            matched.add(existing)
        elif new is not None and new.first is row:
            candidates.add(new)
            planned.new_children.append(new)
        planned.rows.append(Planned(row, existing, new))
    result.referrals = len(planned.rows)
    result.new_children = len(planned.new_children)
    result.matched_children = len(matched)
    return planned


# --- writing -----------------------------------------------------------------------------


def write(
    planned: Plan, acting_user: Principal, result: ReferralImport, progress: Progress | None
) -> None:
    """Register the new children, receive the referrals, record the addresses: all in bulk.

    Every value was checked when the file was read, against the same rules the services and
    models apply (lengths, codes, required values), so records are not validated again one
    by one. Each is written with its history row (attributed to the importing user) and
    audited with one event, as by hand. A problem is noted in `result`; the caller then rolls
    everything back.
    """
    user = user_or_none(acting_user)
    children = [_new_child(new, user) for new in planned.new_children]
    referrals = [_referral(item, user) for item in planned.rows]
    try:
        _create("children", children, acting_user, progress)
        audit.write_each(acting_user, "child:created", children)
        for item, referral in zip(planned.rows, referrals, strict=True):
            referral.child_id = _child_pk(item)
        _create("referrals", referrals, acting_user, progress)
        audit.write_each(acting_user, "referral:received", referrals)
        _Addresses(planned.rows, acting_user).write(result, progress)
        # Bulk inserts skip the signals that file a child under their matching keys.
        matching_index.refresh(c.pk for c in children)
    except IntegrityError:
        # Checked inside this transaction moments ago, so only a write made meanwhile by
        # someone else (a referral entered by hand with one of the file's references).
        result.problems.append(
            RowProblem(
                0,
                "",
                "a referral with one of the file's external references was recorded while the "
                "import ran; nothing was imported. Run it again: those rows will be skipped",
            )
        )


def _child_pk(item: Planned) -> int:
    if item.existing is not None:
        return item.existing
    if item.new is None:  # pragma: no cover - `plan` gives every row one or the other
        raise AssertionError("a planned row has no child")
    return _pk(item.new)


def _pk(new: NewChild) -> int:
    if new.child is None or new.child.pk is None:  # pragma: no cover - created just before
        raise AssertionError("a new child was not created")
    return int(new.child.pk)


def _new_child(new: NewChild, user: Any) -> Child:
    new.child = Child(**new.first.identity(), created_by=user)
    return new.child


def _referral(item: Planned, user: Any) -> Referral:
    row = item.row
    return Referral(
        received_at=row.received_at,
        source=row.source,
        concerns=row.concerns,
        exploitation_types=sorted(row.exploitation_types),
        referring_agency=row.referring_agency,
        external_reference=row.external_reference or None,
        recorded_by=user,
    )


def _create(kind: str, objects: list[M], acting_user: Principal, progress: Progress | None) -> None:
    for start in range(0, len(objects), BATCH):
        batch = objects[start : start + BATCH]
        create_with_history(batch, user=user_or_none(acting_user))
        if progress is not None:
            progress(kind, start + len(batch), len(objects))


class _Addresses:
    """Where each child lived when referred, when the file says and the record does not yet.

    Only a postcode different from the child's latest address, and later than it, is
    recorded: an import never rewrites the address history a practitioner has kept. As
    `people.services.record_address` does, a new address ends the child's open ones, and is
    placed in the ward in force on its first day.
    """

    def __init__(self, planned: Sequence[Planned], acting_user: Principal) -> None:
        self.acting_user = acting_user
        self.planned = [p for p in planned if p.row.postcode]
        self.latest: dict[int, AddressPeriod] = {}  # child pk -> newest address
        self.open: dict[int, list[AddressPeriod]] = defaultdict(list)
        known = sorted({p.existing for p in self.planned if p.existing is not None})
        for chunk in _chunks(known):
            for period in AddressPeriod.objects.filter(child_id__in=chunk).order_by("valid_from"):
                self.latest[period.child_id] = period
                if period.valid_to is None:
                    self.open[period.child_id].append(period)
        self.ward_sets: dict[dt.date, int | None] = {}
        self.wards: dict[tuple[int | None, dt.date | None, str], geo.WardResolution] = {}

    def write(self, result: ReferralImport, progress: Progress | None) -> None:
        new: list[AddressPeriod] = []
        closed: list[AddressPeriod] = []
        for item in self.planned:
            child = _child_pk(item)
            row = item.row
            on = timezone.localtime(row.received_at).date()
            latest = self.latest.get(child)
            if latest is not None and (latest.postcode == row.postcode or latest.valid_from >= on):
                continue
            for previous in self.open.pop(child, []):
                previous.valid_to = on
                if previous.pk is not None:
                    closed.append(previous)
            ward = self._ward(on, row.postcode)
            period = AddressPeriod(
                child_id=child,
                valid_from=on,
                postcode=row.postcode,
                ward=ward.ward,
                ward_method=str(ward.method or ""),
            )
            new.append(period)
            self.latest[child] = period
            self.open[child].append(period)
        if closed:
            bulk_update_with_history(
                closed,
                AddressPeriod,
                ["valid_to"],
                batch_size=BATCH,
                default_user=user_or_none(self.acting_user),
            )
        if new:
            _create("addresses", new, self.acting_user, progress)
            audit.write_each(
                self.acting_user, "child:address:recorded", [Child(pk=p.child_id) for p in new]
            )
        result.addresses = len(new)

    def _ward(self, on: dt.date, postcode: str) -> geo.WardResolution:
        """The ward in force on `on`, as `record_address` finds it.

        Asked once per set of ward boundaries and postcode: the boundaries change every few
        years, so days in one set's life share the answer. (A day after every loaded set is
        placed by its own rule, so it is asked for itself.)
        """
        if on not in self.ward_sets:
            ward_set = geo.ward_set_on(on)
            self.ward_sets[on] = ward_set.pk if ward_set is not None else None
        ward_set_id = self.ward_sets[on]
        key = (ward_set_id, None if ward_set_id is not None else on, postcode)
        if key not in self.wards:
            self.wards[key] = geo.resolve_ward(
                on=on, postcode=postcode, acting_user=self.acting_user
            )
        return self.wards[key]


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _LOOKUP):
        yield values[start : start + _LOOKUP]
