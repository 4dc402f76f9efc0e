// Real media servers for the call and room tests, started from the configuration kept in
// tests/media/ and stopped by pid: coturn, and Janus (its HTTP API for the API tests, and whole
// rooms in the network-namespace browser test).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MEDIA = new URL('./', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Does a STUN Binding request to ip:port get an answer within 200 ms?
function stunAnswers(ip, port) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const req = Buffer.concat([Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
    const done = (v) => { clearTimeout(timer); sock.close(); resolve(v); };
    const timer = setTimeout(() => done(false), 200);
    sock.on('message', () => done(true));
    sock.on('error', () => done(false));
    sock.send(req, port, ip);
  });
}

// Can a TCP listener take ip:port now? (coturn listens on TCP too, and fails when it cannot.)
function tcpFree(ip, port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, ip, () => s.close(() => resolve(true)));
  });
}

// A port for a server of the test: random in 20000–29999, below the kernel's ephemeral range
// (32768–60999), so no client connection of any process takes it meanwhile (one did: coturn
// could not bind its TCP listener), free for TCP and answered by nobody on UDP (a coturn left over
// from an earlier run, or another test's, would answer the STUN probe below).
async function quietPort(ip) {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + 10 * Math.floor(Math.random() * 1000);
    if ((await tcpFree(ip, port)) && !(await stunAnswers(ip, port))) return port;
  }
  throw new Error('no free port for coturn');
}

export async function startCoturn({ ip = '127.0.0.1', port, secret }) {
  port = port || await quietPort(ip);
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-coturn-'));
  const conf = readFileSync(join(MEDIA, 'turnserver.conf'), 'utf8')
    .replaceAll('@IP@', ip).replaceAll('@PORT@', String(port)).replaceAll('@MINPORT@', String(port + 10))
    .replaceAll('@MAXPORT@', String(port + 60)).replaceAll('@SECRET@', secret).replaceAll('@DIR@', dir);
  writeFileSync(join(dir, 'turnserver.conf'), conf);
  const proc = spawn('turnserver', ['-c', join(dir, 'turnserver.conf')], { stdio: 'ignore' });
  const log = () => (existsSync(join(dir, 'turnserver.log')) ? readFileSync(join(dir, 'turnserver.log'), 'utf8') : '');
  let up = false;
  for (let i = 0; i < 50 && !up; i++) up = await stunAnswers(ip, port);
  if (!up) { proc.kill(); throw new Error(`coturn did not start:\n${log()}`); }
  return {
    url: `turn:${ip}:${port}?transport=udp`, log,
    stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r))); rmSync(dir, { recursive: true, force: true }); },
  };
}

// Janus with the VideoRoom plugin and the HTTP transport only (tests/media/janus/), on ip:port;
// ICE only on ip, which must be a real interface's address (Janus gathers no loopback candidates
// for a browser to reach, so the browser test gives it a veth address). origin is the ytexa page
// allowed to call its API from a browser.
export async function startJanus({ ip = '127.0.0.1', port = 38088, origin = '*', tokenSecret, adminKey, rtpPort = 42000 }) {
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-janus-'));
  const secrets = { '@TOKEN_SECRET@': tokenSecret, '@ADMIN_KEY@': adminKey, '@ADMIN_SECRET@': randomBytes(12).toString('hex') };
  for (const f of ['janus.jcfg', 'janus.transport.http.jcfg', 'janus.plugin.videoroom.jcfg']) {
    let text = readFileSync(join(MEDIA, 'janus', f), 'utf8')
      .replaceAll('@DIR@', dir).replaceAll('@IP@', ip).replaceAll('@PORT@', String(port)).replaceAll('@ORIGIN@', origin)
      .replaceAll('@MINPORT@', String(rtpPort)).replaceAll('@MAXPORT@', String(rtpPort + 200));
    for (const [k, v] of Object.entries(secrets)) text = text.replaceAll(k, v);
    writeFileSync(join(dir, f), text);
  }
  const proc = spawn('janus', ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o', '-N', '-L', join(dir, 'janus.log')], { stdio: 'ignore' });
  const log = () => (existsSync(join(dir, 'janus.log')) ? readFileSync(join(dir, 'janus.log'), 'utf8') : '');
  const url = `http://${ip}:${port}/janus`;
  let up = false;
  for (let i = 0; i < 100 && !up && proc.exitCode === null; i++) {
    up = await fetch(`${url}/info`).then((r) => r.ok, () => false);
    if (!up) await sleep(100);
  }
  if (!up) { proc.kill(); throw new Error(`Janus did not start:\n${log()}`); }
  return {
    url, log, pid: proc.pid,
    stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r))); rmSync(dir, { recursive: true, force: true }); },
  };
}

// Janus's HTTP API as a browser speaks it, for the tests to ask Janus what it has: a session with
// one VideoRoom handle; sync requests (exists, list, create) answer at once, a join on the
// session's long poll. With a token Janus refuses, { error } instead.
export async function janusVideoroom(url, token) {
  const call = async (path, body) => {
    const r = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify({ transaction: randomBytes(6).toString('hex'), token, ...body }) });
    return r.json();
  };
  const s = await call('', { janus: 'create' });
  if (s.janus !== 'success') return { error: s.error };
  const h = await call(`/${s.data.id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
  const path = `/${s.data.id}/${h.data.id}`;
  return {
    sync: async (body) => (await call(path, { janus: 'message', body })).plugindata.data,
    async: async (body) => {
      await call(path, { janus: 'message', body });
      for (let i = 0; i < 20; i++) {
        const evs = await (await fetch(`${url}/${s.data.id}?maxev=5&token=${encodeURIComponent(token)}`)).json();
        const ev = [evs].flat().find((e) => e.plugindata);
        if (ev) return ev.plugindata.data;
      }
      throw new Error('no answer from Janus');
    },
    close: () => call(`/${s.data.id}`, { janus: 'destroy' }),
  };
}
