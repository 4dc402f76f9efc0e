-- expect: refused_cast.sql:3: '::' is PostgreSQL's cast
CREATE TABLE t (id INTEGER);
INSERT INTO t SELECT 90 * 86400000::bigint;
