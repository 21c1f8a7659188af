-- name: pathway_outcomes
-- title: Outcomes of pathway referrals at closure
-- definition: Pathway referrals closed by the support service in each financial year (by the date of closure), by the type of agency and the outcome recorded at closure (engaged and risk reduced, declined by the young person, moved away …). Referrals handed back to the hub count as "handed back"; declined referrals, never accepted, are not closures and are not counted. Area is that of the child's address on the day of closure.
-- unit: referrals
-- disclosure: count
-- parameters: start, end
WITH closed AS (
    SELECT
        p.pathway_referral, p.child, p.closed_on, p.agency_type,
        CASE WHEN p.status = 'handed_back' THEN 'handed_back' ELSE COALESCE(p.outcome, 'not_recorded') END
            AS outcome
    FROM pathway_referrals AS p
    WHERE p.closed_on IS NOT NULL
        AND p.status IN ('closed', 'handed_back')
        AND p.closed_on >= {{start}} AND p.closed_on < {{end}}
),
placed AS (
    SELECT
        c.*,
        CASE
            WHEN EXTRACT(MONTH FROM c.closed_on) >= 4 THEN EXTRACT(YEAR FROM c.closed_on)
            ELSE EXTRACT(YEAR FROM c.closed_on) - 1
        END AS financial_year,
        a.ward_id,
        ROW_NUMBER() OVER (PARTITION BY c.pathway_referral ORDER BY a.valid_from) AS rn
    FROM closed AS c
    LEFT JOIN addresses AS a
        ON a.child = c.child
        AND a.valid_from <= c.closed_on
        AND (a.valid_to IS NULL OR a.valid_to > c.closed_on)
)
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    p.agency_type,
    p.outcome,
    CAST(COUNT(*) AS BIGINT) AS referrals
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, w.area, p.agency_type, p.outcome
ORDER BY financial_year, area, agency_type, outcome
