-- Shared by pathway_timeliness and pathway_by_community: each referral of the CTE `made`
-- (pathway_referral, child, referred_on, …) with its financial year and the ward of the
-- child's address on the day of referral (rn = 1: the earliest address valid that day).
placed AS (
    SELECT
        m.*,
        CASE
            WHEN EXTRACT(MONTH FROM m.referred_on) >= 4 THEN EXTRACT(YEAR FROM m.referred_on)
            ELSE EXTRACT(YEAR FROM m.referred_on) - 1
        END AS financial_year,
        a.ward_id,
        ROW_NUMBER() OVER (PARTITION BY m.pathway_referral ORDER BY a.valid_from) AS rn
    FROM made AS m
    LEFT JOIN addresses AS a
        ON a.child = m.child
        AND a.valid_from <= m.referred_on
        AND (a.valid_to IS NULL OR a.valid_to > m.referred_on)
)
