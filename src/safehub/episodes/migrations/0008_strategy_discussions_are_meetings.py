"""An episode's strategy discussions are meetings (`meetings.0003` made each one a meeting with
its history): the old tables go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0007_sign_off_history_record_time"),
        ("meetings", "0003_strategy_discussions_retired"),
    ]

    operations = [
        migrations.DeleteModel(name="HistoricalStrategyDiscussion"),
        migrations.DeleteModel(name="StrategyDiscussion"),
    ]
