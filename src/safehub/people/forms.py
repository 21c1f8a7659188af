from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar, TypeVar

from django import forms

from safehub.access.models import Agency
from safehub.govuk.fields import GovDateField
from safehub.govuk.forms import GovukForm, VersionField
from safehub.people import name_search
from safehub.people.models import CareStatus, LawfulBasis, ShareSection
from safehub.rules import codes

BLANK = [("", "Choose")]
T = TypeVar("T")


def no_ward_field() -> forms.BooleanField:
    """The plain warning a postcode outside the directory needs, as the way past it."""
    return forms.BooleanField(
        label="Save without a ward if the postcode is not in the directory",
        required=False,
        help_text="The child will count as \u201cward not known\u201d in figures until a ward "
        "is recorded. Choose the ward instead if you know it.",
    )


class ChildSearchForm(GovukForm):
    name = forms.CharField(
        label="Name", required=False, help_text="Any part of a name or alias", max_length=100
    )
    date_of_birth = GovDateField(label="Date of birth", required=False, past_only=True)
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        given = data.get("name") or data.get("date_of_birth") or data.get("nhs_number")
        # A box filled in wrongly has its own error; this one is for a search with none.
        if not given and not self.errors:
            raise forms.ValidationError("Enter a name, date of birth or NHS number")
        return data

    error_anchor = "id_name"

    def results(self, search: Callable[..., list[T]]) -> list[T] | None:
        """`search`'s results for what was asked; None before a search, or when the boxes
        are wrong or the name too broad to search in time (the form then says so)."""
        if not (self.is_bound and self.is_valid()):
            return None
        try:
            return search(
                name=self.cleaned_data["name"],
                date_of_birth=self.cleaned_data["date_of_birth"],
                nhs_number=self.cleaned_data["nhs_number"],
            )
        except name_search.SearchTooBroadError as error:
            self.add_error("name", error.message)
            return None


class ChildForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "postcode": "Postcode",
        "ethnicity_source": "how the ethnicity was recorded",
    }

    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the child's last name"},
    )
    date_of_birth = GovDateField(
        label="Date of birth",
        past_only=True,
        help_text="For example, 27 3 2009",
        error_messages={"required": "Enter the child's date of birth"},
    )
    dob_approximate = forms.BooleanField(label="The date of birth is an estimate", required=False)
    sex = forms.ChoiceField(
        label="Sex",
        choices=codes.choices(codes.Sex),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's sex, or Unknown or not stated"},
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)", required=False, max_length=12, help_text="10 digits"
    )
    upn = forms.CharField(
        label="Unique Pupil Number (optional)",
        required=False,
        max_length=16,
        help_text="13 characters from the school, starting with a letter",
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity", choices=codes.choices(codes.Ethnicity), initial="NOBT"
    )
    ethnicity_source = forms.ChoiceField(
        label="How was the ethnicity recorded?",
        choices=codes.choices(codes.EthnicityRecordingSource),
        widget=forms.RadioSelect,
        initial="not_obtained",
    )
    first_language = forms.CharField(label="First language (optional)", required=False)
    nationality = forms.CharField(label="Nationality (optional)", required=False)
    arrived_uk = GovDateField(
        label="Date arrived in the UK (optional)", required=False, past_only=True
    )
    school = forms.CharField(label="School (optional)", required=False)
    postcode = forms.CharField(
        label="Home postcode (optional)",
        required=False,
        max_length=8,
        help_text="Used to place the child in a ward",
    )

    def __init__(self, *args: object, wards: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["ward_code"] = forms.ChoiceField(
            label="Ward (if the postcode is not known)",
            help_text="Also when the postcode is not in the directory",
            choices=[("", "Choose a ward"), *wards],
            required=False,
        )
        self.fields["no_ward"] = no_ward_field()

    def clean_nhs_number(self) -> str:
        value = str(self.cleaned_data.get("nhs_number") or "").replace(" ", "")
        if value and not codes.nhs_number_is_valid(value):
            raise forms.ValidationError("Enter a valid NHS number, 10 digits like 999 123 4560")
        return value

    def clean_upn(self) -> str:
        value = str(self.cleaned_data.get("upn") or "").replace(" ", "").upper()
        if value and not codes.upn_is_valid(value):
            if len(value) != 13:  # noqa: PLR2004 - a UPN's length
                raise forms.ValidationError("Enter a Unique Pupil Number of 13 characters")
            raise forms.ValidationError(
                "Enter a valid Unique Pupil Number: its check letter (the first) does not match"
            )
        return value


class NoteForm(GovukForm):
    text = forms.CharField(
        label="Case note",
        widget=forms.Textarea,
        error_messages={"required": "Enter the note"},
    )


class AddressForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "valid_from": "the date the child moved here",
    }

    valid_from = GovDateField(
        label="Lived here from",
        past_only=True,
        error_messages={"required": "Enter the date the child moved here"},
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=8)
    address = forms.CharField(label="Address (optional)", required=False, max_length=300)

    def __init__(self, *args: object, wards: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["ward_code"] = forms.ChoiceField(
            label="Ward (if the postcode is not known)",
            help_text="Also when the postcode is not in the directory",
            choices=[("", "Choose a ward"), *wards],
            required=False,
        )
        self.fields["no_ward"] = no_ward_field()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        given = data.get("postcode") or data.get("ward_code")
        if not given and not {"postcode", "ward_code"} & self.errors.keys():
            self.add_error("postcode", "Enter a postcode or choose a ward")
        return data


class AddressCorrectionForm(AddressForm):
    """An address put right: the corrected facts, why, and the version they correct."""

    def __init__(self, *args: object, wards: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, wards=wards, **kwargs)
        self.fields["reason"] = forms.CharField(
            label="Why is the address being corrected?",
            widget=forms.Textarea,
            help_text="For example, the postcode was mistyped",
            error_messages={"required": "Enter why the address is being corrected"},
        )
        self.fields["version"] = VersionField()


class CarePeriodForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "valid_from": "the date it began",
        "valid_to": "the date it ended",
    }

    kind = forms.ChoiceField(
        label="Status",
        choices=CareStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status"},
    )
    valid_from = GovDateField(
        label="From", past_only=True, error_messages={"required": "Enter the date it began"}
    )
    valid_to = GovDateField(label="Ended (leave blank if it continues)", required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end <= start:
            self.add_error("valid_to", "The end must be after the start")
        return data


class AliasForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "note": "where the name is used",
    }

    given_name = forms.CharField(label="First name or nickname", required=False, max_length=100)
    family_name = forms.CharField(label="Last name (optional)", required=False, max_length=100)
    note = forms.CharField(
        label="Where is it used? (optional)",
        required=False,
        max_length=200,
        help_text="For example, a street name or an online username",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        given = data.get("given_name") or data.get("family_name")
        if not given and not {"given_name", "family_name"} & self.errors.keys():
            self.add_error("given_name", "Enter the name the child is also known by")
        return data


class ShareForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "expires_on": "the date the share ends",
    }

    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(is_active=True).exclude(agency_type="childrens_services"),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lawful basis for sharing"},
    )
    purpose = forms.CharField(
        label="Purpose", widget=forms.Textarea, error_messages={"required": "Enter the purpose"}
    )
    sections = forms.MultipleChoiceField(
        label="What to share",
        choices=ShareSection.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The child's name, age and sex are always shared. Share no more than needed.",
    )
    expires_on = GovDateField(
        label="Share until", error_messages={"required": "Enter the date the share ends"}
    )
    reasons = forms.CharField(
        label="Decision and reasons",
        widget=forms.Textarea,
        error_messages={"required": "Enter the decision and the reasons for it"},
    )


class RevokeForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "reason": "the reason",
    }

    reason = forms.CharField(
        label="Why is the share being revoked?",
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for revoking the share"},
    )


class BreakGlassForm(GovukForm):
    """Which child, by the exact name and date of birth the worker already knows, and why.

    There is no list to choose from: a partner worker must already know who the child is.
    """

    short_names: ClassVar[Mapping[str, str]] = {"reason": "the reason"}

    given_name = forms.CharField(
        label="Child's first name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    family_name = forms.CharField(
        label="Child's last name",
        max_length=100,
        error_messages={"required": "Enter the child's last name"},
    )
    date_of_birth = GovDateField(
        label="Child's date of birth",
        past_only=True,
        help_text="For example, 27 3 2009",
        error_messages={"required": "Enter the child's date of birth"},
    )
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        widget=forms.Textarea,
        help_text="Your access lasts one hour. Hub managers are told and review every use.",
        error_messages={"required": "Explain why you need to see this record now"},
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if len(reason) < 10:  # noqa: PLR2004 - a reason, not a token gesture
            raise forms.ValidationError("Explain why you need to see this record now")
        return reason


class BreakGlassReviewForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "justified": "whether the access was justified",
    }

    justified = forms.TypedChoiceField(
        label="Was the access justified?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no"},
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea,
        required=False,
        help_text="Required when the access was not justified: it ends the access at once.",
    )
