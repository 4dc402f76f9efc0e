// Sessions end after an idle time and after a maximum age. The server's clock is moved forward
// between restarts with YTEXA_CLOCK_OFFSET_MS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, assertError } from './lib/server.mjs';

const MIN = 60 * 1000;

test('an idle session expires; an active one lives until the maximum age', async () => {
  const srv = await startServer({ extraArgs: ['--session-idle', '600', '--session-max', '1200'] });
  const at = async (minutes) => {
    await srv.stop();
    srv.env = { YTEXA_CLOCK_OFFSET_MS: String(minutes * MIN) };
    await srv.restart();
  };
  try {
    const active = await login(srv, 'demo.doctor');
    const idle = await login(srv, 'demo.commune');
    await at(5);
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: active.token })).status, 200);
    await at(14);
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: active.token })).status, 200, '9 minutes idle');
    assertError(await api(srv, 'GET', '/api/v1/me', { token: idle.token }), 401, 'unauthenticated');
    await at(22);
    assertError(await api(srv, 'GET', '/api/v1/me', { token: active.token }), 401, 'unauthenticated');
  } finally {
    await srv.stop();
    srv.cleanup();
  }
});
