-- name: scrutiny_updates
-- title: Progress on committee actions
-- definition: Each dated progress update on a committee action, with the status it gave the action and its evidence. The report keeps the updates reported on or before the reference date.
-- unit: progress updates
-- disclosure: none
-- parameters:
SELECT
    u.action,
    u.reported_on,
    u.text,
    u.status,
    u.evidence
FROM scrutiny_updates AS u
ORDER BY u.action, u.reported_on, u.text
