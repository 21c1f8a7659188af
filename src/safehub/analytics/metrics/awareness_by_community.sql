-- name: awareness_by_community
-- title: Awareness and training sessions aimed at emerging communities
-- definition: For each prevention and awareness programme, in each financial year (April to March), the sessions delivered and the people who attended them, by the emerging community the deliverer recorded the session as aimed at (delivered in the community's language, in its venues or with its organisations): Gypsy, Roma or Irish Traveller, or any other White background (mainly families from Central and Eastern Europe); sessions open to everyone are counted apart. A person who attends twice is counted twice. Area is that of the ward the session was held in; a session with no ward counts for the district only.
-- unit: people reached
-- disclosure: count
-- parameters: start, end
WITH dated AS (
    SELECT
        s.programme,
        COALESCE(s.community, 'everyone') AS community,
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
    d.community,
    CAST(COUNT(*) AS BIGINT) AS sessions,
    CAST(SUM(d.reached) AS BIGINT) AS reached
FROM dated AS d
LEFT JOIN wards AS w ON w.ward_id = d.ward_id
GROUP BY d.financial_year, w.area, d.programme, d.community
ORDER BY financial_year, area, programme, community
