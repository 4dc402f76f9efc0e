-- expect: unknown marker
-- @postgresql
SELECT 1;
-- @end
