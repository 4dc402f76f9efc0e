-- expect: refused_open_block.sql:2: the block is not closed by -- @end
-- @sqlite
SELECT 1;
