// Patients for tests: registered by a station, with (or without) consent to remote care and to
// data processing, given verbally before a witness.
import assert from 'node:assert/strict';
import { api } from './server.mjs';

export async function registerPatient(srv, token, body, { consent = true } = {}) {
  const r = await api(srv, 'POST', '/api/v1/patients', { token, body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  for (const purpose of consent ? ['remote_care', 'data_processing'] : []) {
    const c = await api(srv, 'POST', `/api/v1/patients/${r.body.id}/consents`,
      { token, body: { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
  }
  return r.body;
}
