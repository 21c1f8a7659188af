-- name: monthly_open_children
-- title: Children at risk at the end of each month
-- definition: For each month end in the series, the children with an episode open on that day, by area and by the risk level in force that day; the same rules as "Children at risk on the reference date", applied to each month end.
-- unit: children
-- disclosure: count
-- parameters: dates
WITH open_episodes AS (
    SELECT s.d, e.episode, e.child
    FROM series AS s
    JOIN episodes AS e
        ON e.opened_on <= s.d AND (e.closed_on IS NULL OR e.closed_on > s.d)
),
risk_on AS (
    SELECT d, episode, level
    FROM (
        SELECT o.d, r.episode, r.level,
               ROW_NUMBER() OVER (
                   PARTITION BY o.d, r.episode ORDER BY r.effective_on DESC, r.seq DESC
               ) AS rn
        FROM open_episodes AS o
        JOIN risk_changes AS r ON r.episode = o.episode AND r.effective_on <= o.d
    ) AS ranked
    WHERE rn = 1
),
ward_on AS (
    SELECT d, child, ward_id
    FROM (
        SELECT o.d, a.child, a.ward_id,
               ROW_NUMBER() OVER (PARTITION BY o.d, a.child ORDER BY a.valid_from) AS rn
        FROM open_episodes AS o
        JOIN addresses AS a
            ON a.child = o.child
            AND a.valid_from <= o.d
            AND (a.valid_to IS NULL OR a.valid_to > o.d)
    ) AS ranked
    WHERE rn = 1
)
SELECT
    o.d AS month_end,
    COALESCE(w.area, 'Not known') AS area,
    COALESCE(rk.level, 'none') AS risk_level,
    CAST(COUNT(*) AS BIGINT) AS children
FROM open_episodes AS o
LEFT JOIN ward_on AS wo ON wo.d = o.d AND wo.child = o.child
LEFT JOIN wards AS w ON w.ward_id = wo.ward_id
LEFT JOIN risk_on AS rk ON rk.d = o.d AND rk.episode = o.episode
GROUP BY o.d, w.area, rk.level
ORDER BY month_end, area, risk_level
