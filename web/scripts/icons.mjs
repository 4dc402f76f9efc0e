// Draws the app's PNG icons (the same green tile and white cross as public/icon.svg) so that
// phones that do not take an SVG icon can still install the app. Run `npm run icons` after
// changing the drawing; the PNGs are committed under public/.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const GREEN = [0x0b, 0x6e, 0x4f];
const WHITE = [0xff, 0xff, 0xff];

// Coverage of one pixel by a shape, by 4x4 supersampling, so edges are smooth.
function raster(size, colourAt) {
  const px = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = colourAt((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 255;
        }
      }
      const n = a / 255;
      const o = (y * size + x) * 4;
      if (n) {
        px[o] = r / n;
        px[o + 1] = g / n;
        px[o + 2] = b / n;
      }
      px[o + 3] = a / (S * S);
    }
  }
  return px;
}

// The cross of icon.svg on a 64-unit grid: arms 10 wide, 36 long, centred.
const inCross = (u, v, scale) => {
  const x = (u - 0.5) / scale,
    y = (v - 0.5) / scale;
  const arm = 5 / 64,
    half = 18 / 64;
  return (Math.abs(x) <= arm && Math.abs(y) <= half) || (Math.abs(y) <= arm && Math.abs(x) <= half);
};
const inRoundedSquare = (u, v, radius) => {
  const dx = Math.max(radius - u, 0, u - (1 - radius));
  const dy = Math.max(radius - v, 0, v - (1 - radius));
  return dx * dx + dy * dy <= radius * radius;
};

// "any": the rounded tile of icon.svg. "maskable": a full square, the cross inside the safe circle.
const any = (u, v) => (inRoundedSquare(u, v, 14 / 64) ? (inCross(u, v, 1) ? WHITE : GREEN) : null);
const maskable = (u, v) => (inCross(u, v, 0.8) ? WHITE : GREEN);

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const byte of buf) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, px) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) px.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/', import.meta.url);
for (const [name, size, draw] of [
  ['icon-192.png', 192, any],
  ['icon-512.png', 512, any],
  ['icon-maskable-512.png', 512, maskable],
  ['apple-touch-icon.png', 180, maskable],
]) {
  writeFileSync(new URL(name, out), png(size, raster(size, draw)));
  console.log('wrote public/' + name);
}
