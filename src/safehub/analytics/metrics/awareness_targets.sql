-- name: awareness_targets
-- title: Target populations of awareness programmes
-- definition: The people each prevention and awareness programme aims to reach (licensed drivers, pupils in a year group, hotel staff), as set by the council: for the district or for one ward, for one financial year or for every year without one of its own. Coverage is people reached divided by this target; an area's target is the sum of its wards' targets, and the district's is its own target or else the sum of every ward's.
-- unit: people
-- disclosure: count
-- parameters:
SELECT
    p.programme,
    p.name AS programme_name,
    CAST(p.sort_order AS BIGINT) AS sort_order,
    CAST(t.financial_year AS BIGINT) AS financial_year,
    COALESCE(w.area, 'District') AS area,
    w.ward_code,
    CAST(t.population AS BIGINT) AS population
FROM awareness_programmes AS p
LEFT JOIN awareness_targets AS t ON t.programme = p.programme
LEFT JOIN wards AS w ON w.ward_id = t.ward_id
ORDER BY sort_order, programme, financial_year, area, ward_code
