/**
 * `local/outline`: a sticker outline. The alpha shape is dilated by an exact Euclidean distance
 * transform (a blur-and-threshold dilation thins out around narrow strokes such as text), the
 * dilated shape is filled with the colour and the image is drawn on top.
 */
import sharp from 'sharp';
import { z } from 'zod';
import { parsePayload } from './common';
import { colorSchema, type ImageOp } from './local-image-ops';

const outlineSchema = z.object({
  image_url: z.string().min(1),
  size: z.number().int().min(1).max(500).default(10),
  color: colorSchema.default('#ffffff'),
});

/** Stands in for infinity: squared distances stay finite, so the arithmetic never yields NaN. */
const FAR = 1e20;

/**
 * One-dimensional squared distance transform of `f` (Felzenszwalb & Huttenlocher, 2012),
 * written into `out`. `v`/`z` are scratch buffers of length n and n + 1.
 */
function transform1d(f: Float64Array, out: Float64Array, v: Int32Array, z: Float64Array): void {
  const n = f.length;
  const intersect = (q: number, p: number) => (f[q]! + q * q - (f[p]! + p * p)) / (2 * q - 2 * p);
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = intersect(q, v[k]!);
    while (s <= z[k]!) s = intersect(q, v[--k]!);
    v[++k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    out[q] = (q - p) * (q - p) + f[p]!;
  }
}

/** Squared distance from every pixel to the nearest pixel with any opacity. */
function squaredDistances(alpha: Uint8Array, width: number, height: number): Float64Array {
  const grid = new Float64Array(width * height);
  for (let i = 0; i < grid.length; i++) grid[i] = alpha[i]! > 0 ? 0 : FAR;
  const n = Math.max(width, height);
  const f = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < width; x++) {
    const col = f.subarray(0, height);
    for (let y = 0; y < height; y++) col[y] = grid[y * width + x]!;
    transform1d(col, out.subarray(0, height), v, z);
    for (let y = 0; y < height; y++) grid[y * width + x] = out[y]!;
  }
  for (let y = 0; y < height; y++) {
    const row = grid.subarray(y * width, (y + 1) * width);
    transform1d(row.slice(), row, v, z);
  }
  return grid;
}

/** The outline's RGBA pixels: the colour, opaque within `size` px of the shape, antialiased. */
async function silhouette(alpha: Uint8Array, w: number, h: number, size: number, color: string) {
  const [r = 0, g = 0, b = 0, a = 255] = await sharp({
    create: { width: 1, height: 1, channels: 4, background: color },
  })
    .raw()
    .toBuffer();
  const distances = squaredDistances(alpha, w, h);
  const pixels = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const coverage = Math.min(1, Math.max(0, size + 0.5 - Math.sqrt(distances[i]!)));
    pixels[i * 4] = r;
    pixels[i * 4 + 1] = g;
    pixels[i * 4 + 2] = b;
    pixels[i * 4 + 3] = Math.round(coverage * a);
  }
  return pixels;
}

/** `local/outline`: the image grows by `size` on each side so the outline is never clipped. */
export const outline: ImageOp = async (payload, load) => {
  const { image_url, size, color } = parsePayload('local', outlineSchema, payload);
  const input = await load('image_url', image_url);
  const transparent = { r: 0, g: 0, b: 0, alpha: 0 };
  // sRGB + alpha so the raw buffer is always 4 channels, whatever the input (grey, palette).
  const { data, info } = await sharp(input)
    .toColourspace('srgb')
    .ensureAlpha()
    .extend({ top: size, bottom: size, left: size, right: size, background: transparent })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const alpha = new Uint8Array(width * height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = data[i * 4 + 3]!;
  const raw = { width, height, channels: 4 as const };
  const bytes = await sharp(await silhouette(alpha, width, height, size, color), { raw })
    .composite([{ input: data, raw }])
    .png()
    .toBuffer();
  return { bytes, contentType: 'image/png' };
};
