"""Meetings can be filed on an episode (a strategy discussion recorded from the episode page),
and keep the number a strategy discussion had as the episode's own record (`former_discussion`).

Apart from `0004`, which fills them in: PostgreSQL will not alter a table in the transaction
that wrote rows to it, so schema and data go in migrations of their own.
"""

import django.db.models.deletion
from django.db import migrations, models

HELP = (
    "The number this strategy discussion had as the episode's own record, before meetings "
    "existed: the chronology keeps its marks under it"
)


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0007_sign_off_history_record_time"),
        ("meetings", "0002_strategy_discussions_become_meetings"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmeeting",
            name="episode",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="episodes.episode",
            ),
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="former_discussion",
            field=models.PositiveIntegerField(
                blank=True, db_index=True, editable=False, help_text=HELP, null=True
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="episode",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="episodes.episode",
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="former_discussion",
            field=models.PositiveIntegerField(
                blank=True, editable=False, help_text=HELP, null=True, unique=True
            ),
        ),
    ]
