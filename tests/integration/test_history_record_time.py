"""Every history Safehub keeps carries its own record time, so "as known at T" holds for all."""

from __future__ import annotations

from django.apps import apps


def test_every_historical_model_keeps_safehubs_record_time() -> None:
    historical = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert len(historical) >= 20, "the scan found too few history models: it is wrong"
    wanted = {"learned_at", "source_recorded_at"}
    fields = {m.__name__: {f.name for f in m._meta.get_fields()} for m in historical}  # noqa: SLF001
    lacking = sorted(name for name, names in fields.items() if not wanted <= names)
    assert lacking == [], f"use safehub.audit.history.KeptHistory for: {lacking}"
