"""The episode's own strategy-discussion records are retired: each is a meeting, filed on its
episode, with its history.

Every discussion gets its meeting (those recorded since `0002` made the others), is filed on
its episode and keeps its number (`former_discussion`: the chronology's marks are stored under
"strategy:<number>"). A meeting made here has no history of its own, so the discussion's
history rows are copied onto it (who recorded it, and when); every meeting touched then gets a
history row for this change. `0005` then drops the link to the old record and
`episodes.0008` the old tables.
"""

from django.db import migrations
from django.utils import timezone

REASON = "A strategy discussion of the episode became this meeting"


def _values(meeting):  # type: ignore[no-untyped-def]
    return {f.attname: getattr(meeting, f.attname) for f in meeting._meta.concrete_fields}  # noqa: SLF001


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Discussion = apps.get_model("episodes", "StrategyDiscussion")  # noqa: N806
    DiscussionHistory = apps.get_model("episodes", "HistoricalStrategyDiscussion")  # noqa: N806
    Meeting = apps.get_model("meetings", "Meeting")
    MeetingHistory = apps.get_model("meetings", "HistoricalMeeting")  # noqa: N806
    through = Meeting.children.through
    now = timezone.now()
    for discussion in list(Discussion.objects.select_related("episode").order_by("pk")):
        meeting = Meeting.objects.filter(strategy_discussion_id=discussion.pk).first()
        if meeting is None:
            meeting = Meeting.objects.create(
                kind="strategy_discussion",
                held_at=discussion.held_at,
                decisions=discussion.summary,
                recorded_by_id=discussion.recorded_by_id,
                recorded_at=discussion.held_at,
                strategy_discussion_id=discussion.pk,
            )
            through.objects.create(meeting_id=meeting.pk, child_id=discussion.episode.child_id)
        meeting.episode_id = discussion.episode_id
        meeting.former_discussion = discussion.pk
        meeting.save(update_fields=["episode", "former_discussion"])
        if not MeetingHistory.objects.filter(id=meeting.pk).exists():
            rows = DiscussionHistory.objects.filter(id=discussion.pk)
            for row in rows.order_by("history_date", "history_id"):
                MeetingHistory.objects.create(
                    **_values(meeting)
                    | {
                        "held_at": row.held_at,
                        "decisions": row.summary,
                        "recorded_by_id": row.recorded_by_id,
                        "episode_id": row.episode_id,
                    },
                    history_date=row.history_date,
                    history_change_reason=row.history_change_reason,
                    history_type=row.history_type,
                    history_user_id=row.history_user_id,
                    learned_at=row.learned_at,
                    source_recorded_at=row.source_recorded_at,
                )
        MeetingHistory.objects.create(
            **_values(meeting),
            history_date=now,
            history_change_reason=REASON,
            history_type="~",
            learned_at=now,
        )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The discussions again, from their meetings (their history rows are not made again)."""
    Discussion = apps.get_model("episodes", "StrategyDiscussion")  # noqa: N806
    Meeting = apps.get_model("meetings", "Meeting")
    for meeting in Meeting.objects.filter(former_discussion__isnull=False, episode__isnull=False):
        Discussion.objects.create(
            id=meeting.former_discussion,
            episode_id=meeting.episode_id,
            held_at=meeting.held_at,
            summary=meeting.decisions,
            recorded_by_id=meeting.recorded_by_id,
        )
        meeting.strategy_discussion_id = meeting.former_discussion
        meeting.save(update_fields=["strategy_discussion"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_meetings_filed_on_episodes")]

    operations = [migrations.RunPython(forwards, backwards)]
