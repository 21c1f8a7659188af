-- name: open_children
-- title: Children at risk on the reference date
-- definition: Children with an episode open with the hub on the reference date D (opened on or before D, not closed by D), as recorded by the snapshot's knowledge time T. Each child is counted once, in the ward of their address on D and at the risk level in force on D (the latest grading effective on or before D). Age is in whole years on D, from the birth month.
-- unit: children
-- disclosure: count
-- parameters: d
{{> _open_on_d}}
open_on AS (
    SELECT
        COALESCE(w.area, 'Not known') AS area,
        COALESCE(w.ward_code, 'unknown') AS ward_code,
        COALESCE(w.ward_name, 'Not known') AS ward_name,
        COALESCE(rk.level, 'none') AS risk_level,
        EXTRACT(YEAR FROM {{d}}) - EXTRACT(YEAR FROM c.birth_month)
            - CASE WHEN EXTRACT(MONTH FROM {{d}}) < EXTRACT(MONTH FROM c.birth_month) THEN 1 ELSE 0 END
            AS age,
        c.sex,
        c.ethnic_group,
        c.ethnicity,
        c.ethnicity_source,
        CASE
            WHEN c.first_language IS NULL THEN 'not_recorded'
            WHEN LOWER(c.first_language) = 'english' THEN 'english'
            ELSE 'other'
        END AS first_language,
        CASE
            WHEN c.arrived_month IS NOT NULL AND c.arrived_month > {{d_minus_5_years}} THEN 1
            ELSE 0
        END AS arrived_last_5_years,
        CASE WHEN cr.child IS NULL THEN 0 ELSE 1 END AS known_to_social_care
    FROM open_episodes AS o
    JOIN children AS c ON c.child = o.child
    LEFT JOIN ward_on AS wo ON wo.child = o.child
    LEFT JOIN wards AS w ON w.ward_id = wo.ward_id
    LEFT JOIN risk_on AS rk ON rk.episode = o.episode
    LEFT JOIN care_on AS cr ON cr.child = o.child
)
SELECT
    area, ward_code, ward_name, risk_level,
    CASE
        WHEN age IS NULL THEN 'not known'
        WHEN age < 10 THEN 'under 10'
        WHEN age < 12 THEN '10-11'
        WHEN age < 14 THEN '12-13'
        WHEN age < 16 THEN '14-15'
        WHEN age < 18 THEN '16-17'
        ELSE '18 and over'
    END AS age_band,
    CAST(age AS BIGINT) AS age,
    sex, ethnic_group, ethnicity, ethnicity_source, first_language,
    CAST(arrived_last_5_years AS BIGINT) AS arrived_last_5_years,
    CAST(known_to_social_care AS BIGINT) AS known_to_social_care,
    CAST(COUNT(*) AS BIGINT) AS children
FROM open_on
GROUP BY
    area, ward_code, ward_name, risk_level, age, sex, ethnic_group, ethnicity,
    ethnicity_source, first_language, arrived_last_5_years, known_to_social_care
ORDER BY
    area, ward_code, risk_level, age, sex, ethnic_group, ethnicity, ethnicity_source,
    first_language, arrived_last_5_years, known_to_social_care
