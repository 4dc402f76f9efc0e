// Writes <file>.gz (gzip level 9) and <file>.br (brotli quality 11) beside every text file of
// dist/, so the server sends the smallest one the browser accepts without compressing on each
// request (docs/web.md). A compressed copy that would not be smaller is not written: the server
// then sends the plain file. Run after `vite build` (npm run build does).
import { readdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const DIST = new URL('../dist/', import.meta.url).pathname;
const TEXT = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt', '.map']);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let count = 0;
for (const path of [...files(DIST)]) {
  if (!TEXT.has(extname(path))) continue;
  const plain = readFileSync(path);
  const made = {
    '.gz': gzipSync(plain, { level: 9 }),
    '.br': brotliCompressSync(plain, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }),
  };
  for (const [ext, bytes] of Object.entries(made)) {
    // A stale copy from an earlier build must not outlive the file it was made from.
    rmSync(path + ext, { force: true });
    if (bytes.length < plain.length) {
      writeFileSync(path + ext, bytes);
      count++;
    }
  }
}
console.log(`precompress: ${count} .gz/.br files written in dist/`);
