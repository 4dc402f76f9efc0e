// Image previews must not starve other requests (issue 16, hole 8): while IMAGES previews of large
// photos are asked for at once (each decoded by libvips, ~0.1–1 s of CPU), another user reads
// GET /api/v1/me in a loop. Prints that user's latency during the image work (p50, p99, max) and
// how long the previews took, once with the server's default gate (--image-concurrency 1) and
// once with 4 (every worker free to render, as before the gate).
//
//   YTEXA_BIN  the server binary (build/ytexa)
//   IMAGES     distinct images asked for at once (12)
//   PIXELS     width × height of each (3000x2400)
//
// Run as: taskset -c 1 node bench/image_gate.mjs (the server is pinned to CPU 0 by the script).
import { execFileSync } from 'node:child_process';
import { startServer, api, login } from '../tests/api/lib/server.mjs';
import { png, tusUpload } from '../tests/api/lib/files.mjs';

const IMAGES = Number(process.env.IMAGES || 12);
const [W, H] = (process.env.PIXELS || '3000x2400').split('x').map(Number);
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function run(concurrency) {
  const srv = await startServer({ extraArgs: ['--image-concurrency', String(concurrency), '--file-quota-mb', '100000'] });
  try { execFileSync('taskset', ['-p', '-c', '0', String(srv.proc.pid)], { stdio: 'ignore' }); } catch { /* no taskset */ }
  try {
    const hw = await login(srv, 'demo.commune');
    const other = await login(srv, 'demo.doctor');
    const ids = [];
    // A different height each, so no two are the same bytes and no render is shared.
    for (let i = 0; i < IMAGES; i++) ids.push(await tusUpload(srv, hw.token, png(W, H + i), `anh-${i}.png`));
    let busy = true;
    const lat = [];
    const reader = (async () => {
      while (busy) {
        const t = process.hrtime.bigint();
        const r = await api(srv, 'GET', '/api/v1/me', { token: other.token });
        if (r.status !== 200) throw new Error(`/me ${r.status}`);
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    })();
    const t0 = Date.now();
    const answers = await Promise.all(ids.map((id) => api(srv, 'GET', `/api/v1/files/${id}/preview`, { token: hw.token })));
    const took = Date.now() - t0;
    busy = false;
    await reader;
    const codes = answers.reduce((m, a) => ({ ...m, [a.status]: (m[a.status] || 0) + 1 }), {});
    lat.sort((a, b) => a - b);
    console.log(`--image-concurrency ${concurrency}: ${IMAGES} previews of ${W}x${H} in ${took} ms (${JSON.stringify(codes)}); ` +
      `GET /me meanwhile: ${lat.length} reads, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${lat.at(-1).toFixed(1)} ms`);
  } finally {
    await srv.close();
  }
}

for (const c of [1, 4, 1, 4]) await run(c);
