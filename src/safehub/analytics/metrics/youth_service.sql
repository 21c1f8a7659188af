-- name: youth_service
-- title: Youth Service involvement
-- definition: In each financial year, referrals to the hub made by the Youth Service (ReferralSource 5D) and decisions that routed a referral to the Youth Service. Area is that of the child's address on the day of receipt.
-- unit: referrals
-- disclosure: count
-- parameters: start, end
WITH referred AS (
    SELECT
        r.referral,
        r.received_on,
        CASE WHEN r.source = '5D' THEN 1 ELSE 0 END AS from_youth_service,
        CASE WHEN d.pathway_agency_type = 'youth_service' THEN 1 ELSE 0 END AS to_youth_service,
        r.child
    FROM referrals AS r
    LEFT JOIN decisions AS d ON d.referral = r.referral
    WHERE r.received_on >= {{start}} AND r.received_on < {{end}}
),
placed AS (
    SELECT
        f.from_youth_service, f.to_youth_service,
        CASE
            WHEN EXTRACT(MONTH FROM f.received_on) >= 4 THEN EXTRACT(YEAR FROM f.received_on)
            ELSE EXTRACT(YEAR FROM f.received_on) - 1
        END AS financial_year,
        a.ward_id,
        ROW_NUMBER() OVER (PARTITION BY f.referral ORDER BY a.valid_from) AS rn
    FROM referred AS f
    LEFT JOIN addresses AS a
        ON a.child = f.child
        AND a.valid_from <= f.received_on
        AND (a.valid_to IS NULL OR a.valid_to > f.received_on)
)
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'Not known') AS area,
    CAST(SUM(p.from_youth_service) AS BIGINT) AS referrals_from_youth_service,
    CAST(SUM(p.to_youth_service) AS BIGINT) AS decisions_to_youth_service
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, w.area
ORDER BY financial_year, area
