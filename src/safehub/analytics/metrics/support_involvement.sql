-- name: support_involvement
-- title: Lower-risk children with support from the Youth Service or another agency
-- definition: Children with an episode open with the hub on the reference date D at low or medium risk (the level in force on D), and of them those with a pathway referral made on or before D that was not declined by D and not closed or handed back before D: to the Youth Service, and to any support service (the Youth Service or another agency). A child supported by several services is counted once in each column that applies. Area is that of the child's address on D.
-- unit: children
-- disclosure: count
-- parameters: d
{{> _open_on_d}}
lower_risk AS (
    SELECT DISTINCT o.child, rk.level AS risk_level, COALESCE(w.area, 'Not known') AS area
    FROM open_episodes AS o
    JOIN risk_on AS rk ON rk.episode = o.episode
    LEFT JOIN ward_on AS wo ON wo.child = o.child
    LEFT JOIN wards AS w ON w.ward_id = wo.ward_id
    WHERE rk.level IN ('low', 'medium')
),
involved AS (
    SELECT
        p.child,
        MAX(CASE WHEN p.agency_type = 'youth_service' THEN 1 ELSE 0 END) AS youth_service,
        1 AS any_support
    FROM pathway_referrals AS p
    WHERE p.referred_on <= {{d}}
        AND (p.declined_at IS NULL OR CAST(p.declined_at AS DATE) > {{d}})
        AND (p.closed_on IS NULL OR p.closed_on >= {{d}})
    GROUP BY p.child
)
SELECT
    l.area,
    l.risk_level,
    CAST(COUNT(*) AS BIGINT) AS children,
    CAST(SUM(COALESCE(i.youth_service, 0)) AS BIGINT) AS with_youth_service,
    CAST(SUM(COALESCE(i.any_support, 0)) AS BIGINT) AS with_any_support
FROM lower_risk AS l
LEFT JOIN involved AS i ON i.child = l.child
GROUP BY l.area, l.risk_level
ORDER BY l.area, l.risk_level
