-- name: scrutiny_updates
-- title: Progress on committee actions
-- definition: Each dated progress update on a committee action, reported on or before the reference date, with the status it gave the action and its evidence.
-- unit: progress updates
-- disclosure: none
-- parameters: d
SELECT
    u.action,
    u.reported_on,
    u.text,
    u.status,
    u.evidence
FROM scrutiny_updates AS u
WHERE u.reported_on <= {{d}}
ORDER BY u.action, u.reported_on, u.text
