// Draws grove's app icons (a tree on emerald) as PNGs, so the PWA needs no download or image tool.
// Run: node --import tsx scripts/make-icons.ts  (writes public/icons/*.png)
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function icon(size: number, maskable: boolean): Buffer {
  const bg = [4, 120, 87];
  const fg = [236, 253, 245];
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const s = (v: number) => v * size;
  const radius = maskable ? 0 : s(0.2);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const cx = Math.min(x, size - 1 - x);
      const cy = Math.min(y, size - 1 - y);
      const outside = cx < radius && cy < radius && (radius - cx) ** 2 + (radius - cy) ** 2 > radius ** 2;
      const inCrown =
        (x - s(0.5)) ** 2 + (y - s(0.42)) ** 2 < s(0.22) ** 2 ||
        (x - s(0.36)) ** 2 + (y - s(0.5)) ** 2 < s(0.15) ** 2 ||
        (x - s(0.64)) ** 2 + (y - s(0.5)) ** 2 < s(0.15) ** 2;
      const inTrunk = Math.abs(x - s(0.5)) < s(0.045) && y > s(0.5) && y < s(0.8);
      const colour = inCrown || inTrunk ? fg : bg;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = colour[0] ?? 0;
      raw[o + 1] = colour[1] ?? 0;
      raw[o + 2] = colour[2] ?? 0;
      raw[o + 3] = outside ? 0 : 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = new URL("../public/icons/", import.meta.url);
for (const size of [192, 512]) writeFileSync(new URL(`icon-${size}.png`, out), icon(size, false));
writeFileSync(new URL("maskable-512.png", out), icon(512, true));
writeFileSync(new URL("apple-touch-icon.png", out), icon(180, true));
