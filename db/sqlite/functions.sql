-- progressive-capture: the functions of db/migrations/006_queue.sql for the
-- SQLite store, so both stores answer the same questions the same way (the
-- tests compare them). Each is one statement after a line
-- "-- function: <name>"; its arguments are bound by name (:p_<argument>),
-- arrays as JSON text; the program selects its columns and orders its rows.
-- Time stamps are compared as instants (strftime('%s')), not as text, so a
-- row another writer stored with "+00:00" still matches GitHub's "Z".

-- function: progressive_capture_lacking
-- The pull requests of p_numbers (with GitHub's updated_at, p_updated_at, in
-- the same order) that lack a part of p_parts (bits: 1 details, 2 reviews,
-- 4 comments) in the store: a part lacks when its pull_request_captures row
-- is missing or holds another updated_at; details also when the PR row
-- itself is missing, was never synced, or another writer changed it since.
-- Returns (number, lacking: the bits of the parts it lacks), lacking ones only.
WITH gh (number, updated_at) AS (
	SELECT n.value, strftime('%s', u.value)
	  FROM json_each(:p_numbers) n JOIN json_each(:p_updated_at) u ON u.key = n.key
), marks AS (
	SELECT gh.number,
	       (SELECT coalesce(sum(CASE c.part WHEN 'details' THEN 1 WHEN 'reviews' THEN 2
	                                        WHEN 'comments' THEN 4 ELSE 0 END), 0)
	          FROM pull_request_captures c
	         WHERE c.repository_id = :p_repository_id AND c.number = gh.number
	           AND strftime('%s', c.github_updated_at) = gh.updated_at) AS current,
	       EXISTS (SELECT 1 FROM pull_requests p
	                WHERE p.repository_id = :p_repository_id AND p.number = gh.number
	                  AND p.last_synced_at IS NOT NULL
	                  AND strftime('%s', p.updated_at) = gh.updated_at) AS row_current
	  FROM gh
), lack AS (
	SELECT number,
	       (:p_parts & ~(CASE WHEN row_current THEN current ELSE current & ~1 END)) AS lacking
	  FROM marks
)
SELECT number, lacking FROM lack WHERE lacking <> 0
