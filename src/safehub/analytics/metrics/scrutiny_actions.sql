-- name: scrutiny_actions
-- title: Committee resolutions and their actions
-- definition: Each resolution of each committee meeting recorded, with each of its actions (owner, due date). Area is the committee's area; empty for a committee of the whole district. The report keeps the meetings held on or before the reference date.
-- unit: actions
-- disclosure: none
-- parameters:
SELECT
    COALESCE(m.area, '') AS area,
    m.meeting,
    m.committee,
    m.held_on,
    r.number,
    r.text AS resolution_text,
    a.action,
    a.text AS action_text,
    a.owner_title,
    a.due_on
FROM scrutiny_meetings AS m
JOIN scrutiny_resolutions AS r ON r.meeting = m.meeting
LEFT JOIN scrutiny_actions AS a ON a.resolution = r.resolution
ORDER BY m.held_on, m.committee, r.number, a.due_on, a.action
