-- name: timeliness
-- title: Decisions within one working day and return home interviews within 72 hours
-- definition: For referrals received in each financial year, how many had a decision and how many of those were decided within one working day of receipt (England and Wales bank holidays excluded). For children who came back from a missing episode in the year, how many return home interviews were completed, and how many within 72 hours of the return. Area is that of the child's address on the day of receipt or return.
-- unit: decisions; interviews
-- disclosure: count
-- parameters: start, end
WITH decided AS (
    SELECT
        r.child,
        r.received_on AS event_on,
        'decisions' AS measure,
        1 AS total,
        CASE WHEN d.decided_at <= d.due_at THEN 1 ELSE 0 END AS within_target
    FROM referrals AS r
    JOIN decisions AS d ON d.referral = r.referral
    WHERE r.received_on >= {{start}} AND r.received_on < {{end}}
),
returned AS (
    SELECT
        m.child,
        CAST(m.ended_at AS DATE) AS event_on,
        'return_interviews' AS measure,
        CASE WHEN m.interview_completed_at IS NOT NULL THEN 1 ELSE 0 END AS total,
        CASE
            WHEN m.interview_completed_at IS NOT NULL
                AND m.interview_completed_at <= m.ended_at + INTERVAL 72 HOUR THEN 1
            ELSE 0
        END AS within_target
    FROM missing_episodes AS m
    WHERE m.ended_at IS NOT NULL
        AND CAST(m.ended_at AS DATE) >= {{start}} AND CAST(m.ended_at AS DATE) < {{end}}
),
events AS (
    SELECT
        u.*,
        ROW_NUMBER() OVER (
            ORDER BY u.measure, u.child, u.event_on, u.total, u.within_target
        ) AS event_id
    FROM (SELECT * FROM decided UNION ALL SELECT * FROM returned) AS u
),
placed AS (
    SELECT
        v.measure, v.total, v.within_target,
        CASE
            WHEN EXTRACT(MONTH FROM v.event_on) >= 4 THEN EXTRACT(YEAR FROM v.event_on)
            ELSE EXTRACT(YEAR FROM v.event_on) - 1
        END AS financial_year,
        a.ward_id,
        ROW_NUMBER() OVER (PARTITION BY v.event_id ORDER BY a.valid_from) AS rn
    FROM events AS v
    LEFT JOIN addresses AS a
        ON a.child = v.child
        AND a.valid_from <= v.event_on
        AND (a.valid_to IS NULL OR a.valid_to > v.event_on)
)
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    p.measure,
    CAST(COUNT(*) AS BIGINT) AS cases,
    CAST(SUM(p.total) AS BIGINT) AS completed,
    CAST(SUM(p.within_target) AS BIGINT) AS within_target
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, w.area, p.measure
ORDER BY financial_year, area, measure
