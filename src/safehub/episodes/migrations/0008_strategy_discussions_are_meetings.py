"""An episode's strategy discussions are meetings (`meetings.0004` made each one a meeting with
its history): the old tables go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0007_sign_off_history_record_time"),
        ("meetings", "0005_no_link_to_old_strategy_discussions"),
    ]

    operations = [
        migrations.DeleteModel(name="HistoricalStrategyDiscussion"),
        migrations.DeleteModel(name="StrategyDiscussion"),
    ]
