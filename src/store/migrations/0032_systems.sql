-- ytexa 0032: systems registered for SMART Backend Services on the FHIR API (issue 20, "Access for
-- systems"; docs/fhir.md). A system (the national platform, a hospital's HIS) is registered by the
-- ministry administrator with the places it may read (facilities and provinces, JSON arrays of
-- ids), the scopes it may be granted (SMART v2, space-separated) and its public keys (a JWKS, no
-- private member). It proves itself with a JWT signed by one of those keys and gets a short-lived
-- opaque token, of which only the SHA-256 is kept.
CREATE TABLE systems (
  id INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  facility_ids TEXT NOT NULL DEFAULT '[]',
  province_ids TEXT NOT NULL DEFAULT '[]',
  scopes TEXT NOT NULL,
  jwks TEXT NOT NULL,
  revoked_at INTEGER,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE system_tokens (
  token_hash TEXT PRIMARY KEY,
  system_id INTEGER NOT NULL REFERENCES systems(id),
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX system_tokens_system ON system_tokens(system_id);
CREATE INDEX system_tokens_expires ON system_tokens(expires_at);

-- Every assertion's jti is kept until the assertion's exp, so a replayed assertion is refused.
CREATE TABLE system_jtis (
  system_id INTEGER NOT NULL REFERENCES systems(id),
  jti TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (system_id, jti)
);
CREATE INDEX system_jtis_expires ON system_jtis(expires_at);
