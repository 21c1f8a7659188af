-- name: awareness_reached
-- title: People reached by awareness and training sessions
-- definition: For each prevention and awareness programme, in each financial year (April to March), the number of sessions delivered and the number of people who attended them, as recorded by the deliverer. A person who attends twice is counted twice. Area is that of the ward the session was held in; a session with no ward counts for the district only.
-- unit: people reached
-- disclosure: count
-- parameters: start, end
WITH dated AS (
    SELECT
        s.programme,
        s.reached,
        s.ward_id,
        CASE
            WHEN EXTRACT(MONTH FROM s.delivered_on) >= 4 THEN EXTRACT(YEAR FROM s.delivered_on)
            ELSE EXTRACT(YEAR FROM s.delivered_on) - 1
        END AS financial_year
    FROM awareness_sessions AS s
    WHERE s.delivered_on >= {{start}} AND s.delivered_on < {{end}}
)
SELECT
    CAST(d.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    d.programme,
    CAST(COUNT(*) AS BIGINT) AS sessions,
    CAST(SUM(d.reached) AS BIGINT) AS reached
FROM dated AS d
LEFT JOIN wards AS w ON w.ward_id = d.ward_id
GROUP BY d.financial_year, w.area, d.programme
ORDER BY financial_year, area, programme
