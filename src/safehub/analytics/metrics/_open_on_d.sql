-- Shared by open_children and open_children_detail: the children open on D, their ward
-- and risk level on D, and whether children's social care knew them. One definition, so the
-- detail behind a figure can never drift from the figure.
WITH open_episodes AS (
    SELECT e.episode, e.child
    FROM episodes AS e
    WHERE e.opened_on <= {{d}} AND (e.closed_on IS NULL OR e.closed_on > {{d}})
),
risk_on AS (
    SELECT episode, level
    FROM (
        SELECT r.episode, r.level,
               ROW_NUMBER() OVER (PARTITION BY r.episode ORDER BY r.effective_on DESC, r.seq DESC) AS rn
        FROM risk_changes AS r
        JOIN open_episodes AS o ON o.episode = r.episode
        WHERE r.effective_on <= {{d}}
    ) AS ranked
    WHERE rn = 1
),
ward_on AS (
    SELECT child, ward_id
    FROM (
        SELECT a.child, a.ward_id,
               ROW_NUMBER() OVER (PARTITION BY a.child ORDER BY a.valid_from) AS rn
        FROM addresses AS a
        JOIN open_episodes AS o ON o.child = a.child
        WHERE a.valid_from <= {{d}} AND (a.valid_to IS NULL OR a.valid_to > {{d}})
    ) AS ranked
    WHERE rn = 1
),
care_on AS (
    SELECT DISTINCT p.child
    FROM care_periods AS p
    JOIN open_episodes AS o ON o.child = p.child
    WHERE p.valid_from <= {{d}} AND (p.valid_to IS NULL OR p.valid_to > {{d}})
),
