-- name: open_children_detail
-- title: The rows behind "Children at risk on the reference date"
-- definition: One row per child with an episode open on D, with the episode, area, ward and risk level on D, by exactly the rules of open_children; used to explain revisions between snapshots and never published (its rows are pseudonyms, not counts).
-- unit: children
-- disclosure: none
-- parameters: d
{{> _open_on_d}}
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
