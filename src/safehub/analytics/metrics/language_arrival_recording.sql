-- name: language_arrival_recording
-- title: First language and date of arrival in the UK of children referred, by year
-- definition: The individual children referred to the hub in each financial year, by whether their first language stands recorded at the snapshot's knowledge time T (not recorded, English, another language) and, for those whose first language is not English, whether their date of arrival in the UK is recorded. Area is that of the child's address on the day of their first referral in the year.
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
    CASE
        WHEN c.first_language IS NULL OR c.first_language = '' THEN 'not_recorded'
        WHEN LOWER(c.first_language) = 'english' THEN 'english'
        ELSE 'other'
    END AS first_language,
    CASE WHEN c.arrived_month IS NULL THEN 0 ELSE 1 END AS arrival_recorded,
    CAST(COUNT(*) AS BIGINT) AS children
FROM placed AS p
JOIN children AS c ON c.child = p.child
LEFT JOIN wards AS w ON w.ward_id = p.ward_id
WHERE p.rn = 1
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
