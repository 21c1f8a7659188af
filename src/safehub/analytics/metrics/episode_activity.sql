-- name: episode_activity
-- title: Episodes opened, closed, escalated and de-escalated
-- definition: In each financial year of the period, episodes opened and closed, and risk gradings that went up (escalated) or down (de-escalated) from the level before them in the same episode. Area is that of the child's address on the day of the event.
-- unit: events
-- disclosure: count
-- parameters: start, end
WITH graded AS (
    SELECT
        r.episode,
        r.effective_on,
        CASE r.level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END AS rank,
        LAG(CASE r.level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
            OVER (PARTITION BY r.episode ORDER BY r.effective_on, r.seq) AS before_rank
    FROM risk_changes AS r
),
events AS (
    SELECT 'opened' AS event, e.child, e.opened_on AS event_on FROM episodes AS e
    UNION ALL
    SELECT 'closed' AS event, e.child, e.closed_on AS event_on
    FROM episodes AS e WHERE e.closed_on IS NOT NULL
    UNION ALL
    SELECT
        CASE WHEN g.rank > g.before_rank THEN 'escalated' ELSE 'de-escalated' END AS event,
        e.child,
        g.effective_on AS event_on
    FROM graded AS g
    JOIN episodes AS e ON e.episode = g.episode
    WHERE g.before_rank IS NOT NULL AND g.rank <> g.before_rank
),
in_period AS (
    SELECT
        v.event, v.child, v.event_on,
        CASE
            WHEN EXTRACT(MONTH FROM v.event_on) >= 4 THEN EXTRACT(YEAR FROM v.event_on)
            ELSE EXTRACT(YEAR FROM v.event_on) - 1
        END AS financial_year,
        ROW_NUMBER() OVER (ORDER BY v.event, v.child, v.event_on) AS event_id
    FROM events AS v
    WHERE v.event_on >= {{start}} AND v.event_on < {{end}}
),
placed AS (
    SELECT p.event, p.financial_year, a.ward_id,
           ROW_NUMBER() OVER (PARTITION BY p.event_id ORDER BY a.valid_from) AS rn
    FROM in_period AS p
    LEFT JOIN addresses AS a
        ON a.child = p.child
        AND a.valid_from <= p.event_on
        AND (a.valid_to IS NULL OR a.valid_to > p.event_on)
)
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    p.event,
    CAST(COUNT(*) AS BIGINT) AS episodes
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, w.area, p.event
ORDER BY financial_year, area, event
