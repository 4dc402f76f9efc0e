// Reports go through a gate of their own (--report-concurrency, default 1; docs/operations.md):
// however many administrators' dashboards ask at once, at most that many reports are computed at
// a time and the rest wait their turn outside the worker pool, so that clinical reads and writes
// always find a worker. Sixteen report requests sent together are all answered, one at a time;
// with --report-concurrency 3, at most three at a time. /metrics says how many waited and ran.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';
import { metric } from './lib/files.mjs';

const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));

const REPORTS = ['consultations', 'visits', 'reach', 'sites', 'training'];
// Sixteen requests at once, a year of each report in turn, and a patient list besides.
async function burst(srv, S) {
  const sent = Array.from({ length: 16 }, (_, i) =>
    api(srv, 'GET', `/api/v1/reports/${REPORTS[i % REPORTS.length]}?period=year:2026&by=facility`, { token: S['demo.ministry-admin'].token }));
  const rs = await Promise.all(sent);
  for (const r of rs) assert.equal(r.status, 200, JSON.stringify(r.body));
  return rs;
}

test('sixteen reports asked at once are all answered, never more than one computed at a time', async () => {
  const S = {};
  const srv = await startSignedIn(S);
  servers.push(srv);
  assert.equal(await metric(srv, 'ytexa_reports_running_peak'), 0, 'nothing ran before the first report');
  await burst(srv, S);
  assert.equal(await metric(srv, 'ytexa_reports_running_peak'), 1);
  assert.equal(await metric(srv, 'ytexa_reports_waiting'), 0, 'none left waiting');
  // A clinician's request is not a report and does not wait behind them.
  const me = await api(srv, 'GET', '/api/v1/me', { token: S['demo.doctor'].token });
  assert.equal(me.status, 200);
});

test('with --report-concurrency 3, at most three at a time', async () => {
  const S = {};
  const srv = await startSignedIn(S, { extraArgs: ['--report-concurrency', '3'] });
  servers.push(srv);
  await burst(srv, S);
  const peak = await metric(srv, 'ytexa_reports_running_peak');
  assert.ok(peak >= 1 && peak <= 3, `peak ${peak}`);
});
