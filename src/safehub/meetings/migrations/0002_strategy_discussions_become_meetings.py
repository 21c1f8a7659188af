"""Each strategy discussion recorded on an episode becomes a meeting of that kind, with the
episode's child, its summary as the decisions, and a link back to it."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    StrategyDiscussion = apps.get_model("episodes", "StrategyDiscussion")
    Meeting = apps.get_model("meetings", "Meeting")
    through = Meeting.children.through
    discussions = StrategyDiscussion.objects.filter(meeting__isnull=True).select_related("episode")
    for discussion in discussions.iterator(chunk_size=500):
        meeting = Meeting.objects.create(
            kind="strategy_discussion",
            held_at=discussion.held_at,
            decisions=discussion.summary,
            recorded_by_id=discussion.recorded_by_id,
            recorded_at=discussion.held_at,
            strategy_discussion_id=discussion.pk,
        )
        through.objects.create(meeting_id=meeting.pk, child_id=discussion.episode.child_id)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Meeting = apps.get_model("meetings", "Meeting")
    Meeting.objects.filter(strategy_discussion__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_meetings_and_actions")]

    operations = [migrations.RunPython(forwards, backwards)]
