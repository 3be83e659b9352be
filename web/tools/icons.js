// Vite plugin: the app's icons, drawn here from one description of the mark (two peers joined by a
// line, white on the accent blue), so no image tool is needed: an SVG (rounded square) and PNGs of
// 192 and 512 px (full-bleed squares whose mark stays inside the maskable safe zone, the centre
// circle of 80 %), emitted as icons/icon.svg, icons/icon-192.png and icons/icon-512.png. The web
// app manifest (web/public/manifest.webmanifest) names them.
import { deflateSync } from 'node:zlib';

const ACCENT = [0x1f, 0x6f, 0xeb];
const MARK = [0xff, 0xff, 0xff];
// In a unit square: the two peers and the line between them.
const PEERS = [
  { x: 0.32, y: 0.64, r: 0.12 },
  { x: 0.68, y: 0.36, r: 0.12 },
];
const LINE_HALF_WIDTH = 0.045;
const SVG_CORNER = 0.1875; // of the side: the SVG's rounded corners

function distanceToSegment(px, py, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
}

function inMark(x, y) {
  if (PEERS.some((p) => Math.hypot(x - p.x, y - p.y) <= p.r)) return true;
  return distanceToSegment(x, y, PEERS[0], PEERS[1]) <= LINE_HALF_WIDTH;
}

export function iconSvg() {
  const s = 512;
  const circles = PEERS.map((p) => `<circle cx="${p.x * s}" cy="${p.y * s}" r="${p.r * s}"/>`).join('');
  const [a, b] = PEERS;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${s} ${s}">` +
    `<rect width="${s}" height="${s}" rx="${SVG_CORNER * s}" fill="#1f6feb"/>` +
    `<g fill="#fff">${circles}</g>` +
    `<line x1="${a.x * s}" y1="${a.y * s}" x2="${b.x * s}" y2="${b.y * s}" stroke="#fff" ` +
    `stroke-width="${2 * LINE_HALF_WIDTH * s}"/></svg>\n`
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// An RGB PNG of `size` px; each pixel's mark coverage from 4 x 4 samples (smooth edges).
export function iconPng(size) {
  const SAMPLES = 4;
  const rows = Buffer.alloc(size * (1 + 3 * size));
  for (let y = 0; y < size; y += 1) {
    const row = y * (1 + 3 * size); // filter byte 0 (none), then the pixels
    for (let x = 0; x < size; x += 1) {
      let inside = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          if (inMark((x + (sx + 0.5) / SAMPLES) / size, (y + (sy + 0.5) / SAMPLES) / size)) inside += 1;
        }
      }
      const cover = inside / (SAMPLES * SAMPLES);
      for (let c = 0; c < 3; c += 1) {
        rows[row + 1 + 3 * x + c] = Math.round(ACCENT[c] * (1 - cover) + MARK[c] * cover);
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function icons() {
  return {
    name: 'cieloweb-icons',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'icons/icon.svg', source: iconSvg() });
      for (const size of [192, 512]) {
        this.emitFile({ type: 'asset', fileName: `icons/icon-${size}.png`, source: iconPng(size) });
      }
    },
  };
}
