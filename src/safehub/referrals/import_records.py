"""What a referral import reads and reports: a checked row, a problem, the outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from safehub.access.models import Agency


@dataclass(frozen=True)
class RowProblem:
    row: int  # CSV: the row counting the header as row 1; JSON Lines: the line; 0: the file
    field: str  # the column or key at fault; empty when the whole row is unreadable
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = f"row {self.row}, {self.field}" if self.field else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class ReferralImport:
    """What an import did, or (for a dry run) would do."""

    dry_run: bool = False
    rows_read: int = 0
    referrals: int = 0
    new_children: int = 0
    matched_children: int = 0
    already_imported: int = 0
    addresses: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ReferralImportError(Exception):
    """The file was refused; nothing was imported. `result.problems` lists every problem."""

    def __init__(self, result: ReferralImport) -> None:
        super().__init__(f"{len(result.problems)} problem(s); nothing imported")
        self.result = result


@dataclass(frozen=True)
class Row:
    """One checked row: every value parsed and known to be acceptable."""

    row: int
    external_reference: str
    received_at: dt.datetime
    source: str
    exploitation_types: tuple[str, ...]
    concerns: str
    referring_agency: Agency | None
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    ethnicity: str
    ethnicity_source: str
    nhs_number: str
    postcode: str

    def identity(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "ethnicity_source": self.ethnicity_source,
            "nhs_number": self.nhs_number,
        }
