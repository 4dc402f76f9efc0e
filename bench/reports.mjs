// The dashboard's requests, one after another as one administrator's browser sends them, each
// warmed once and then timed ROUNDS times (default 20): p50, p99 (nearest rank) and the slowest,
// in ms. Run by bench/reports.sh against a server it started; prints one line per request.
//
//   node bench/reports.mjs URL TOKEN
const [url, token] = process.argv.slice(2);
const ROUNDS = Number(process.env.ROUNDS || 20);
const reports = (process.env.REPORTS || 'consultations,visits,reach,sites,training').split(',');
const periods = (process.env.PERIODS || 'month:2026-11,year:2026').split(',');
// The groupings each report offers (docs/reports.md); a report is asked only for what it has.
const offers = {
  consultations: ['', 'province', 'facility', 'level_pair', 'urgency'],
  visits: ['', 'province', 'facility', 'mode'],
  reach: ['', 'province', 'facility', 'group'],
  sites: ['', 'province', 'facility', 'level'],
  training: ['', 'province', 'facility', 'role', 'level'],
};

const nearest = (sorted, p) => sorted[Math.max(0, Math.ceil((p * sorted.length) / 100) - 1)];
async function time(path) {
  const t0 = performance.now();
  const r = await fetch(url + path, { headers: { authorization: 'Bearer ' + token } });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body.slice(0, 200)}`);
  return [performance.now() - t0, body.length];
}

console.log('request'.padEnd(58), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'max ms'.padStart(8), 'bytes'.padStart(8));
for (const report of reports) {
  for (const period of periods) {
    for (const by of process.env.BYS ? process.env.BYS.split(',').filter((b) => offers[report].includes(b)) : offers[report]) {
      const path = `/api/v1/reports/${report}?period=${period}` + (by ? `&by=${by}` : '');
      const [, bytes] = await time(path); // warm
      const ms = [];
      for (let i = 0; i < ROUNDS; i++) ms.push((await time(path))[0]);
      ms.sort((a, b) => a - b);
      const f = (v) => v.toFixed(v < 100 ? 1 : 0).padStart(8);
      console.log(path.replace('/api/v1/reports/', '').padEnd(58), f(nearest(ms, 50)), f(nearest(ms, 99)), f(ms[ms.length - 1]), String(bytes).padStart(8));
    }
  }
}
