-- name: open_children_detail
-- title: The rows behind "Children at risk on the reference date"
-- definition: One row per child with an episode open on D, with the episode, area, ward and risk level on D, by exactly the rules of open_children; used to explain revisions between snapshots and never published (its rows are pseudonyms, not counts).
-- unit: children
-- disclosure: none
-- parameters: d
WITH open_episodes AS (
    SELECT e.episode, e.child
    FROM episodes AS e
    WHERE e.opened_on <= {{d}} AND (e.closed_on IS NULL OR e.closed_on > {{d}})
),
risk_on AS (
    SELECT episode, level
    FROM (
        SELECT r.episode, r.level,
               ROW_NUMBER() OVER (PARTITION BY r.episode ORDER BY r.effective_on DESC, r.seq DESC) AS rn
        FROM risk_changes AS r
        JOIN open_episodes AS o ON o.episode = r.episode
        WHERE r.effective_on <= {{d}}
    ) AS ranked
    WHERE rn = 1
),
ward_on AS (
    SELECT child, ward_id
    FROM (
        SELECT a.child, a.ward_id,
               ROW_NUMBER() OVER (PARTITION BY a.child ORDER BY a.valid_from) AS rn
        FROM addresses AS a
        JOIN open_episodes AS o ON o.child = a.child
        WHERE a.valid_from <= {{d}} AND (a.valid_to IS NULL OR a.valid_to > {{d}})
    ) AS ranked
    WHERE rn = 1
),
care_on AS (
    SELECT DISTINCT p.child
    FROM care_periods AS p
    JOIN open_episodes AS o ON o.child = p.child
    WHERE p.valid_from <= {{d}} AND (p.valid_to IS NULL OR p.valid_to > {{d}})
),
children_open AS (
    SELECT
        o.child,
        o.episode,
        COALESCE(w.area, 'Not known') AS area,
        COALESCE(w.ward_code, 'unknown') AS ward_code,
        COALESCE(rk.level, 'none') AS risk_level
    FROM open_episodes AS o
    LEFT JOIN ward_on AS wo ON wo.child = o.child
    LEFT JOIN wards AS w ON w.ward_id = wo.ward_id
    LEFT JOIN risk_on AS rk ON rk.episode = o.episode
)
SELECT child, episode, area, ward_code, risk_level
FROM children_open
ORDER BY child
