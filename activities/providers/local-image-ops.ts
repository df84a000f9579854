/**
 * The simple `local/*` image operations, each a payload schema plus a few sharp calls. Results
 * are PNG (lossless, keeps alpha) except `local/convert`, whose job is choosing the format.
 */
import sharp from 'sharp';
import { z } from 'zod';
import { invalidPayload, parsePayload } from './common';

/** Reads an input image by URL; rejects (422 naming `field`) what sharp cannot decode. */
export type LoadImage = (field: string, url: string) => Promise<Buffer>;

/** One operation: validates its payload, loads its inputs, returns the encoded image. */
export type ImageOp = (payload: unknown, load: LoadImage) => Promise<ImageOutput>;

/** Encoded result bytes and their type. */
export interface ImageOutput {
  bytes: Buffer;
  contentType: string;
}

/**
 * Colours as CSS hex, a CSS name or rgb()/rgba(). Restricted to these shapes because the value
 * is also written into SVG markup, where anything else could inject elements.
 */
export const colorSchema = z
  .string()
  .regex(/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9\s.,%]+\))$/, 'not a colour')
  .refine(isColor, 'not a colour');

/** Asks sharp's own parser, which throws synchronously on a colour it does not know. */
function isColor(color: string): boolean {
  try {
    sharp({ create: { width: 1, height: 1, channels: 4, background: color } });
    return true;
  } catch {
    return false;
  }
}

const url = z.string().min(1);
const dimension = z.number().int().positive().max(16_384);
const offset = z.number().int().min(-16_384).max(16_384);

/** PNG with the given pipeline applied; decoding already succeeded, so failures are ours. */
async function png(image: sharp.Sharp): Promise<ImageOutput> {
  return { bytes: await image.png().toBuffer(), contentType: 'image/png' };
}

const svgSchema = z.object({ svg: z.string().min(1).max(5_000_000) });

/** `local/render-svg`: rasterises SVG markup. */
export const renderSvg: ImageOp = async (payload) => {
  const { svg } = parsePayload('local', svgSchema, payload);
  if (!/<svg[\s>]/i.test(svg)) throw invalidPayload('local', 'svg', 'not SVG markup');
  try {
    return await png(sharp(Buffer.from(svg)));
  } catch (err) {
    throw invalidPayload('local', 'svg', `cannot be rendered: ${(err as Error).message}`);
  }
};

const resizeSchema = z
  .object({
    image_url: url,
    width: dimension.optional(),
    height: dimension.optional(),
    fit: z.enum(['cover', 'contain', 'fill', 'inside', 'outside']).default('cover'),
  })
  .refine((p) => p.width !== undefined || p.height !== undefined, {
    message: 'width or height is required',
    path: ['width'],
  });

/** `local/resize`: one of width/height keeps the aspect ratio; `contain` pads transparently. */
export const resize: ImageOp = async (payload, load) => {
  const p = parsePayload('local', resizeSchema, payload);
  const input = await load('image_url', p.image_url);
  const background = { r: 0, g: 0, b: 0, alpha: 0 };
  return png(sharp(input).resize({ width: p.width, height: p.height, fit: p.fit, background }));
};

const cropSchema = z.object({
  image_url: url,
  left: z.number().int().min(0),
  top: z.number().int().min(0),
  width: dimension,
  height: dimension,
});

/** `local/crop`: the rectangle must lie inside the image. */
export const crop: ImageOp = async (payload, load) => {
  const p = parsePayload('local', cropSchema, payload);
  const input = await load('image_url', p.image_url);
  const { width, height } = await sharp(input).metadata();
  if (p.left + p.width > width) {
    throw invalidPayload('local', 'width', `left + width exceeds the image width ${width}`);
  }
  if (p.top + p.height > height) {
    throw invalidPayload('local', 'height', `top + height exceeds the image height ${height}`);
  }
  return png(sharp(input).extract({ left: p.left, top: p.top, width: p.width, height: p.height }));
};

const trimSchema = z.object({ image_url: url, threshold: z.number().min(0).max(255).default(10) });

/** `local/trim`: removes the border that matches the top-left pixel (transparency included). */
export const trim: ImageOp = async (payload, load) => {
  const p = parsePayload('local', trimSchema, payload);
  const input = await load('image_url', p.image_url);
  return png(sharp(input).trim({ threshold: p.threshold }));
};

const borderSchema = z.object({
  image_url: url,
  size: z.number().int().min(1).max(2_000),
  color: colorSchema.default('#000000'),
});

/** `local/border`: a solid frame of `size` pixels on every side. */
export const border: ImageOp = async (payload, load) => {
  const { image_url, size, color } = parsePayload('local', borderSchema, payload);
  const input = await load('image_url', image_url);
  return png(
    sharp(input)
      .ensureAlpha()
      .extend({ top: size, bottom: size, left: size, right: size, background: color }),
  );
};

const compositeSchema = z.object({
  base_url: url,
  overlay_url: url,
  left: offset.optional(),
  top: offset.optional(),
});

/** `local/composite`: overlay drawn over base, centred unless `left`/`top` are given. */
export const composite: ImageOp = async (payload, load) => {
  const p = parsePayload('local', compositeSchema, payload);
  const [base, overlay] = await Promise.all([
    load('base_url', p.base_url),
    load('overlay_url', p.overlay_url),
  ]);
  const [b, o] = await Promise.all([sharp(base).metadata(), sharp(overlay).metadata()]);
  if (o.width > b.width || o.height > b.height) {
    throw invalidPayload(
      'local',
      'overlay_url',
      `overlay (${o.width}x${o.height}) is larger than base (${b.width}x${b.height})`,
    );
  }
  const placed =
    p.left === undefined && p.top === undefined
      ? { gravity: 'centre' }
      : { left: p.left ?? 0, top: p.top ?? 0 };
  return png(
    sharp(base)
      .ensureAlpha()
      .composite([{ input: overlay, ...placed }]),
  );
};

const convertSchema = z.object({
  image_url: url,
  format: z.enum(['png', 'jpeg', 'webp']),
  quality: z.number().int().min(1).max(100).optional(),
});

/** `local/convert`: re-encodes; JPEG has no alpha, so transparency is flattened onto white. */
export const convert: ImageOp = async (payload, load) => {
  const p = parsePayload('local', convertSchema, payload);
  const input = await load('image_url', p.image_url);
  const image = sharp(input);
  if (p.format === 'jpeg') {
    const bytes = await image
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: p.quality })
      .toBuffer();
    return { bytes, contentType: 'image/jpeg' };
  }
  if (p.format === 'webp') {
    return {
      bytes: await image.webp({ quality: p.quality }).toBuffer(),
      contentType: 'image/webp',
    };
  }
  return png(image);
};
