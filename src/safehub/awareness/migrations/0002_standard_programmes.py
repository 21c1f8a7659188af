"""The programmes most hubs run, so a new installation can import sessions at once.

An administrator renames, adds or deactivates programmes in /admin/; targets are each
council's own and are not set here.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PROGRAMMES = (
    ("taxi", "Taxi and private hire driver training", "Licensed taxi and private hire drivers"),
    ("pts", "Patient transport (PTS) driver training", "Patient transport service drivers"),
    ("bus", "Bus driver training", "Bus drivers employed in the district"),
    ("hotel", "Hotel and night-time economy staff", "Hotel, bar and late-night venue staff"),
    ("school-play-primary", "Primary school play", "Pupils in the primary year groups shown"),
    ("school-play-secondary", "Secondary school play", "Pupils in the secondary year groups shown"),
    ("parents", "Parents and carers", "Parents and carers of children in the district"),
    ("professionals", "Professionals", "Staff of partner agencies working with children"),
)


def add(apps: Any, schema_editor: Any) -> None:
    programme = apps.get_model("awareness", "Programme")
    for order, (code, name, target) in enumerate(PROGRAMMES, start=1):
        programme.objects.get_or_create(
            code=code, defaults={"name": name, "target_description": target, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("awareness", "0001_programmes_targets_sessions")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
