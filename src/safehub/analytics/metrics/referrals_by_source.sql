-- name: referrals_by_source
-- title: Referrals by source and exploitation type
-- definition: Referrals received in each financial year by who made them (the CIN census ReferralSource code) and by each exploitation type named on the referral (a referral naming two types counts under both; "none named" when it names none). Area is that of the child's address on the day of receipt.
-- unit: referrals
-- disclosure: count
-- parameters: start, end
WITH referred AS (
    SELECT
        r.referral,
        r.child,
        r.received_on,
        r.source,
        r.exploitation_types,
        CASE
            WHEN EXTRACT(MONTH FROM r.received_on) >= 4 THEN EXTRACT(YEAR FROM r.received_on)
            ELSE EXTRACT(YEAR FROM r.received_on) - 1
        END AS financial_year
    FROM referrals AS r
    WHERE r.received_on >= {{start}} AND r.received_on < {{end}}
),
placed AS (
    SELECT f.*, a.ward_id,
           ROW_NUMBER() OVER (PARTITION BY f.referral ORDER BY a.valid_from) AS rn
    FROM referred AS f
    LEFT JOIN addresses AS a
        ON a.child = f.child
        AND a.valid_from <= f.received_on
        AND (a.valid_to IS NULL OR a.valid_to > f.received_on)
),
types AS (
    SELECT 'cse' AS exploitation_type UNION ALL SELECT 'cce' UNION ALL SELECT 'trafficking'
    UNION ALL SELECT 'online'
),
typed AS (
    SELECT p.referral, p.financial_year, p.ward_id, p.source, t.exploitation_type
    FROM placed AS p
    JOIN types AS t ON CONCAT(',', p.exploitation_types, ',') LIKE CONCAT('%,', t.exploitation_type, ',%')
    WHERE p.rn = 1
    UNION ALL
    SELECT p.referral, p.financial_year, p.ward_id, p.source, 'none named' AS exploitation_type
    FROM placed AS p
    WHERE p.rn = 1 AND (p.exploitation_types IS NULL OR p.exploitation_types = '')
)
SELECT
    CAST(t.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    'source' AS dimension,
    t.source AS value,
    CAST(COUNT(DISTINCT t.referral) AS BIGINT) AS referrals
FROM typed AS t
LEFT JOIN wards AS w ON w.ward_id = t.ward_id
GROUP BY t.financial_year, w.area, t.source
UNION ALL
SELECT
    CAST(t.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    'exploitation_type' AS dimension,
    t.exploitation_type AS value,
    CAST(COUNT(*) AS BIGINT) AS referrals
FROM typed AS t
LEFT JOIN wards AS w ON w.ward_id = t.ward_id
GROUP BY t.financial_year, w.area, t.exploitation_type
ORDER BY financial_year, area, dimension, value
