-- name: referrals_by_financial_year
-- title: Referrals, individual children and repeat referrals by financial year
-- definition: Referrals received by the hub in each financial year (1 April to 31 March, by the London date of receipt), the individual children they concerned, and the children referred more than once in that year. A child is placed in the ward of their address on the day of their first referral in the year, so children add up across wards.
-- unit: referrals; children
-- disclosure: count
-- parameters: start, end
WITH referred AS (
    SELECT
        r.child,
        r.received_on,
        CASE
            WHEN EXTRACT(MONTH FROM r.received_on) >= 4 THEN EXTRACT(YEAR FROM r.received_on)
            ELSE EXTRACT(YEAR FROM r.received_on) - 1
        END AS financial_year
    FROM referrals AS r
    WHERE r.received_on >= {{start}} AND r.received_on < {{end}}
),
per_child AS (
    SELECT financial_year, child, COUNT(*) AS referrals, MIN(received_on) AS first_on
    FROM referred
    GROUP BY financial_year, child
),
placed AS (
    SELECT p.financial_year, p.child, p.referrals, a.ward_id,
           ROW_NUMBER() OVER (
               PARTITION BY p.financial_year, p.child ORDER BY a.valid_from
           ) AS rn
    FROM per_child AS p
    LEFT JOIN addresses AS a
        ON a.child = p.child
        AND a.valid_from <= p.first_on
        AND (a.valid_to IS NULL OR a.valid_to > p.first_on)
)
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    COALESCE(w.ward_code, 'unknown') AS ward_code,
    COALESCE(w.ward_name, 'Not known') AS ward_name,
    CAST(SUM(p.referrals) AS BIGINT) AS referrals,
    CAST(COUNT(*) AS BIGINT) AS children,
    CAST(SUM(CASE WHEN p.referrals > 1 THEN 1 ELSE 0 END) AS BIGINT)
        AS children_referred_more_than_once
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, w.area, w.ward_code, w.ward_name
ORDER BY financial_year, area, ward_code
