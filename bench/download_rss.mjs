// The server's resident memory while a client downloads a 200 MiB DICOM file at 50 MB/s: the
// file is read as it is sent, so the peak should stay near the idle figure. Prints RSS before
// and the peak (sampled every 20 ms from /proc). Run: node bench/download_rss.mjs
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServer, login } from '../tests/api/lib/server.mjs';
import { tusUpload } from '../tests/api/lib/files.mjs';

const srv = await startServer();
const doc = await login(srv, 'demo.doctor');
const dicom = Buffer.alloc(200 << 20);
dicom.write('DICM', 128); // a Part 10 preamble and magic; the rest is pixel data of zeros
const id = await tusUpload(srv, doc.token, dicom, 'ct.dcm', 8 << 20);
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]);
const before = rss();
let peak = before;
const timer = setInterval(() => { peak = Math.max(peak, rss()); }, 20);
const t0 = Date.now();
await new Promise((res) => spawn('curl', ['-sf', '--limit-rate', '50M', '-o', '/dev/null', '-H', `authorization: Bearer ${doc.token}`,
  `${srv.url}/api/v1/files/${id}`]).on('exit', res));
clearInterval(timer);
console.log(`download of 200 MiB: RSS before ${(before / 1024).toFixed(1)} MiB, peak ${(peak / 1024).toFixed(1)} MiB, ${Date.now() - t0} ms`);
await srv.close();
