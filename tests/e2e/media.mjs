// Real media servers for the call tests, started from the configuration kept in tests/media/ and
// stopped by pid: coturn (and, in the network-namespace tests, Janus).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MEDIA = new URL('../media/', import.meta.url).pathname;
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

export async function startCoturn({ ip = '127.0.0.1', port = 34780, secret }) {
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
