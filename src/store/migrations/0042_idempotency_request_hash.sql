-- ytexa 0042: an Idempotency-Key answers again only the request it was first used for. A key was
-- bound to the method and path alone, so a client that reused a key with another body (a bug, or
-- an offline outbox that changed an entry without a new key) got the first answer back and its new
-- write was silently never made. The SHA-256 of the request's body is kept beside the key and a
-- replay must match it; a mismatch is 409 idempotency_key_reused. Keys stored before this have no
-- hash and replay as before.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT;
