"""A meeting no longer links to the episode's old strategy-discussion record (`0004` filed each
on its episode and kept its number)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_strategy_discussions_retired")]

    operations = [
        migrations.RemoveField(model_name="historicalmeeting", name="strategy_discussion"),
        migrations.RemoveField(model_name="meeting", name="strategy_discussion"),
    ]
