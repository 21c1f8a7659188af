from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from safehub.govuk.forms import GovukForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording for its errors."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been disabled. Ask your administrator.",
    }
    error_anchor = "id_username"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget = forms.TextInput()


CODE_LABEL = "Enter the 6-digit code from your authenticator app"


class CodeForm(GovukForm):
    """The second sign-in step: a 6-digit code from the person's authenticator app."""

    otp_token = forms.RegexField(
        label=CODE_LABEL,
        help_text="The code changes every 30 seconds. Each code works once.",
        regex=r"^\s*\d{6}\s*$",
        strip=True,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "The code must be 6 digits, like 123456",
        },
    )

    def code(self) -> str:
        return str(self.cleaned_data["otp_token"]).strip()

    def wrong_code(self, wait_seconds: int) -> None:
        if wait_seconds:
            message = (
                f"Too many wrong codes. Wait {wait_seconds} "
                f"second{'' if wait_seconds == 1 else 's'}, then enter the code your app shows"
            )
        else:
            message = "The code is not right. Enter the code your app shows now"
        self.add_error("otp_token", message)


class ReauthenticateForm(CodeForm):
    """Password (and code, for roles with two factors) again, before a sensitive action."""

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )
    field_order = ("password", "otp_token")

    def __init__(self, *args: Any, needs_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = "Code from your authenticator app"
        if not needs_code:
            del self.fields["otp_token"]
