-- name: pathway_by_community
-- title: Pathway referrals by emerging community
-- definition: Pathway referrals made by the hub to a support service in each financial year, by the emerging-community group of the child's recorded ethnicity (Gypsy, Roma or Irish Traveller; any other White background; any other ethnicity recorded; ethnicity not recorded, refused or not obtained) and by the area of the child's address on the day of referral. Accepted, accepted within target and first contact within target are counted as in "Pathway referrals accepted and first contact made within target". Engaged: of the same referrals, those closed by the end of the period with the young person engaged (risk reduced or not).
-- unit: referrals
-- disclosure: count
-- parameters: start, end
WITH made AS (
    SELECT
        p.pathway_referral, p.child, p.referred_on,
        COALESCE(c.community, 'not_recorded') AS community,
        CASE WHEN p.accepted_at IS NOT NULL THEN 1 ELSE 0 END AS accepted,
        CASE WHEN p.accepted_at IS NOT NULL AND p.accepted_at <= p.accept_due_at THEN 1 ELSE 0 END
            AS accepted_within_target,
        CASE
            WHEN p.first_contact_at IS NOT NULL AND p.first_contact_at <= p.first_contact_due_at
            THEN 1 ELSE 0
        END AS first_contact_within_target,
        CASE
            WHEN p.status = 'closed' AND p.closed_on < {{end}}
                AND p.outcome IN ('engaged_risk_reduced', 'engaged_no_change')
            THEN 1 ELSE 0
        END AS engaged
    FROM pathway_referrals AS p
    LEFT JOIN children AS c ON c.child = p.child
    WHERE p.referred_on >= {{start}} AND p.referred_on < {{end}}
),
{{> _pathway_placed}}
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    p.community,
    COALESCE(w.area, 'Not known') AS area,
    CAST(COUNT(*) AS BIGINT) AS referrals,
    CAST(SUM(p.accepted) AS BIGINT) AS accepted,
    CAST(SUM(p.accepted_within_target) AS BIGINT) AS accepted_within_target,
    CAST(SUM(p.first_contact_within_target) AS BIGINT) AS first_contact_within_target,
    CAST(SUM(p.engaged) AS BIGINT) AS engaged
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, p.community, w.area
ORDER BY financial_year, community, area
