-- name: ethnicity_recording_quality
-- title: How the ethnicity of children referred was recorded, by year and ward
-- definition: The individual children referred to the hub in each financial year, by how their ethnicity stands recorded at the snapshot's knowledge time T: not obtained (code NOBT), refused (REFU), recorded from a professional's observation, or given by the child or their family. A child is placed in the ward of their address on the day of their first referral in the year, so children add up across wards and categories.
-- unit: children
-- disclosure: count
-- parameters: start, end
WITH referred AS (
    SELECT
        r.child,
        CASE
            WHEN EXTRACT(MONTH FROM r.received_on) >= 4 THEN EXTRACT(YEAR FROM r.received_on)
            ELSE EXTRACT(YEAR FROM r.received_on) - 1
        END AS financial_year,
        r.received_on
    FROM referrals AS r
    WHERE r.received_on >= {{start}} AND r.received_on < {{end}}
),
per_child AS (
    SELECT financial_year, child, MIN(received_on) AS first_on
    FROM referred
    GROUP BY financial_year, child
),
placed AS (
    SELECT p.financial_year, p.child, a.ward_id,
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
    CASE
        WHEN c.ethnicity = 'NOBT' OR c.ethnicity IS NULL OR c.ethnicity = '' THEN 'not_obtained'
        WHEN c.ethnicity = 'REFU' THEN 'refused'
        WHEN c.ethnicity_source = 'observed_by_professional' THEN 'observed'
        ELSE 'identified'
    END AS recording,
    CAST(COUNT(*) AS BIGINT) AS children
FROM placed AS p
JOIN children AS c ON c.child = p.child
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 5
