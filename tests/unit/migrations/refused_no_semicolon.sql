-- expect: has no closing
INSERT OR IGNORE INTO t VALUES (1)
-- @postgres
SELECT 1;
-- @end
