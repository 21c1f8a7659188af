-- name: pathway_timeliness
-- title: Pathway referrals accepted and first contact made within target
-- definition: Pathway referrals made by the hub to a support service in each financial year, by service and by the area of the child's address on the day of referral. Accepted within target: accepted by the service no later than its target (by default 2 working days after the referral). First contact within target: of the referrals accepted, those whose first contact with the young person was no later than the service's target (by default 5 working days after acceptance). Targets are the service's when the referral was made.
-- unit: referrals
-- disclosure: count
-- parameters: start, end
WITH made AS (
    SELECT
        p.pathway_referral, p.child, p.service, p.referred_on,
        CASE WHEN p.accepted_at IS NOT NULL THEN 1 ELSE 0 END AS accepted,
        CASE WHEN p.accepted_at IS NOT NULL AND p.accepted_at <= p.accept_due_at THEN 1 ELSE 0 END
            AS accepted_within_target,
        CASE WHEN p.first_contact_at IS NOT NULL THEN 1 ELSE 0 END AS first_contact,
        CASE
            WHEN p.first_contact_at IS NOT NULL AND p.first_contact_at <= p.first_contact_due_at
            THEN 1 ELSE 0
        END AS first_contact_within_target
    FROM pathway_referrals AS p
    WHERE p.referred_on >= {{start}} AND p.referred_on < {{end}}
),
{{> _pathway_placed}}
SELECT
    CAST(p.financial_year AS BIGINT) AS financial_year,
    p.service,
    COALESCE(w.area, 'Not known') AS area,
    CAST(COUNT(*) AS BIGINT) AS referrals,
    CAST(SUM(p.accepted) AS BIGINT) AS accepted,
    CAST(SUM(p.accepted_within_target) AS BIGINT) AS accepted_within_target,
    CAST(SUM(p.first_contact) AS BIGINT) AS first_contacts,
    CAST(SUM(p.first_contact_within_target) AS BIGINT) AS first_contact_within_target
FROM placed AS p
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY p.financial_year, p.service, w.area
ORDER BY financial_year, service, area
