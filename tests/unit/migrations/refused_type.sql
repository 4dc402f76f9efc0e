-- expect: BIGINT: PostgreSQL's type
CREATE TABLE t (
  id BIGINT
);
