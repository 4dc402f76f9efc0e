// How long a backup and a restore take per GB of stored files (issue 22; docs/operations.md,
// "Backup and restore"): a server with the demo data stores FILES PDFs of SIZE_MB each, sent with
// tus four at a time, then `ytexa backup` copies and hashes every file while the server serves,
// and `ytexa restore` copies and hashes them again into an empty folder.
//   node bench/backup_files.mjs            (FILES=256 SIZE_MB=4 by default: 1 GiB)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, login } from '../tests/api/lib/server.mjs';
import { tusUpload } from '../tests/api/lib/files.mjs';

const FILES = Number(process.env.FILES || 256), SIZE = Number(process.env.SIZE_MB || 4) << 20;
const srv = await startServer();
const work = mkdtempSync(join(tmpdir(), 'ytexa-bench-backup-'));
const secs = (t0) => (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
try {
  const token = (await login(srv, 'demo.commune')).token;
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < FILES) {
      next++;
      const buf = Buffer.concat([Buffer.from('%PDF-1.4\n%'), randomBytes(SIZE - 20), Buffer.from('\n%%EOF\n')]);
      await tusUpload(srv, token, buf, `phim-${next}.pdf`, { chunk: 4 << 20 });
    }
  }));
  const gib = (FILES * SIZE) / 2 ** 30;
  console.log(`stored ${FILES} files of ${SIZE >> 20} MiB (${gib.toFixed(2)} GiB) in ${secs(t0)} s`);
  const opts = ['--data', srv.dir, '--db', srv.dbUrl];
  const b0 = process.hrtime.bigint();
  execFileSync(process.env.YTEXA_BIN || new URL('../build/ytexa', import.meta.url).pathname, ['backup', ...opts, '--to', join(work, 'bk')], { stdio: 'inherit' });
  const tb = secs(b0);
  const r0 = process.hrtime.bigint();
  execFileSync(process.env.YTEXA_BIN || new URL('../build/ytexa', import.meta.url).pathname, ['restore', '--data', join(work, 'restored'), '--from', join(work, 'bk')], { stdio: 'inherit' });
  const tr = secs(r0);
  console.log(`backup ${tb} s (${(gib * 1024 / tb).toFixed(0)} MiB/s), restore ${tr} s (${(gib * 1024 / tr).toFixed(0)} MiB/s), files included`);
} finally {
  await srv.stop();
  srv.cleanup();
  rmSync(work, { recursive: true, force: true });
}
