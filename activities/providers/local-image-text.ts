/**
 * `local/render-text`: text drawn by librsvg (SVG `<text>` through sharp), cropped to the ink
 * and padded, so the image size follows the text rather than a guessed canvas.
 */
import sharp from 'sharp';
import { z } from 'zod';
import { invalidPayload, parsePayload } from './common';
import { colorSchema, type ImageOp } from './local-image-ops';

const textSchema = z.object({
  text: z
    .string()
    .max(5_000)
    .refine((t) => t.trim().length > 0, 'must contain visible characters'),
  font_size: z.number().positive().max(1_000).default(64),
  color: colorSchema.default('#000000'),
  background: colorSchema.default('transparent'),
  padding: z.number().int().min(0).max(2_000).default(16),
  width: z.number().int().positive().max(8_192).optional(),
});
type TextPayload = z.infer<typeof textSchema>;

/** No glyph of the bundled sans fonts is wider than this many ems; the canvas must fit the ink. */
const MAX_GLYPH_EM = 1.1;
const LINE_HEIGHT_EM = 1.25;
/** Beyond this the scratch canvas would cost hundreds of megabytes. */
const MAX_CANVAS_PIXELS = 100_000_000;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Greedy word wrap by an average glyph width; librsvg cannot wrap and cannot measure for us. */
function wrap(text: string, maxChars: number | undefined): string[] {
  const paragraphs = text.split(/\r?\n/);
  if (!maxChars) return paragraphs;
  return paragraphs.flatMap((paragraph) => {
    const lines: string[] = [];
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      if (line && line.length + 1 + word.length > maxChars) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    return [...lines, line];
  });
}

function buildSvg(lines: string[], p: TextPayload): { svg: string; pixels: number } {
  const size = p.font_size;
  const longest = Math.max(...lines.map((l) => l.length));
  const width = Math.ceil(longest * size * MAX_GLYPH_EM + size * 2);
  const height = Math.ceil(lines.length * size * LINE_HEIGHT_EM + size * 2);
  const spans = lines
    .map((line, i) => {
      const y = size * 1.5 + i * size * LINE_HEIGHT_EM;
      return `<tspan x="${size}" y="${y}">${escapeXml(line)}</tspan>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<text xml:space="preserve" font-family="DejaVu Sans, sans-serif" font-size="${size}" ` +
    `fill="${p.color}">${spans}</text></svg>`;
  return { svg, pixels: width * height };
}

/** `local/render-text`: PNG of the text; `width` fixes the image width and wraps/centres. */
export const renderText: ImageOp = async (payload) => {
  const p = parsePayload('local', textSchema, payload);
  const inner = p.width === undefined ? undefined : p.width - 2 * p.padding;
  if (inner !== undefined && inner <= 0) {
    throw invalidPayload('local', 'width', 'leaves no room inside the padding');
  }
  const maxChars = inner && Math.max(1, Math.floor(inner / (p.font_size * 0.6)));
  const { svg, pixels } = buildSvg(wrap(p.text, maxChars), p);
  if (pixels > MAX_CANVAS_PIXELS) throw invalidPayload('local', 'text', 'too large to render');
  let ink = await sharp(Buffer.from(svg)).trim({ threshold: 0 }).png().toBuffer();
  let meta = await sharp(ink).metadata();
  if (inner !== undefined && meta.width > inner) {
    // The wrap estimate was too optimistic for these glyphs: shrink rather than overflow.
    ink = await sharp(ink).resize({ width: inner }).png().toBuffer();
    meta = await sharp(ink).metadata();
  }
  const width = p.width ?? meta.width + 2 * p.padding;
  const height = meta.height + 2 * p.padding;
  const left = Math.floor((width - meta.width) / 2);
  const canvas = sharp({ create: { width, height, channels: 4, background: p.background } });
  const bytes = await canvas
    .composite([{ input: ink, left, top: p.padding }])
    .png()
    .toBuffer();
  return { bytes, contentType: 'image/png' };
};
