-- ytexa 0041: the public verify route finds a signed prescription by its printed code without
-- reading every prescription (issue 21, "the prescription's printed code must verify there too").
-- The code is the first 50 bits of the prescription's content hash (src/visit/prescriptions.c,
-- yx_prescription_code); the route looks the rows up by the hash's first 12 hex digits, which the
-- code gives exactly. Without this index that lookup scanned every signed prescription, on a route
-- anyone may call: a request a scan of the whole table, at national scale millions of rows. Only
-- signed prescriptions have a code, so only they are in the index.
CREATE INDEX prescriptions_verify_code ON prescriptions (substr(content_hash, 1, 12)) WHERE status = 'signed';
