#!/usr/bin/env node
// Draws the kernel logos (kernel/logo-32x32.png, logo-64x64.png) without any image library:
// a rounded blue square with a white "W" made of packet bars. Run: node kernel/make-logos.js
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
  ]);
}
// Shape in unit coordinates (0..1): 1 = white bar, 2 = blue background, 0 = transparent.
const BARS = [[0.16, 0.30, 0.80], [0.30, 0.44, 0.50], [0.44, 0.56, 0.66], [0.56, 0.70, 0.50], [0.70, 0.84, 0.80]];
function shape(u, v) {
  const r = 0.18, inside = (() => {
    const cx = Math.min(Math.max(u, r), 1 - r), cy = Math.min(Math.max(v, r), 1 - r);
    return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
  })();
  if (!inside) return 0;
  for (const [x0, x1, h] of BARS) {
    if (u >= x0 + 0.015 && u < x1 - 0.015 && v >= 0.86 - h && v < 0.86) return 1;
  }
  return 2;
}
function render(size) {
  const S = 8;
  return png(size, (x, y) => {
    let w = 0, b = 0;
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
      const s = shape((x + (i + 0.5) / S) / size, (y + (j + 0.5) / S) / size);
      if (s === 1) w++; else if (s === 2) b++;
    }
    const n = S * S, a = (w + b) / n;
    if (a === 0) return [0, 0, 0, 0];
    const fw = w / (w + b);
    const blue = [0x1f, 0x4e, 0x9a];
    return [0, 1, 2].map((k) => Math.round(blue[k] * (1 - fw) + 255 * fw)).concat([Math.round(a * 255)]);
  });
}
for (const size of [32, 64]) fs.writeFileSync(path.join(__dirname, `logo-${size}x${size}.png`), render(size));
const bars = BARS.map(([x0, x1, h]) =>
  `<rect x="${((x0 + 0.015) * 64).toFixed(2)}" y="${((0.86 - h) * 64).toFixed(2)}" width="${((x1 - x0 - 0.03) * 64).toFixed(2)}" height="${(h * 64).toFixed(2)}" fill="#fff"/>`).join("");
fs.writeFileSync(path.join(__dirname, "logo-svg.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="11.5" fill="#1f4e9a"/>${bars}</svg>\n`);
