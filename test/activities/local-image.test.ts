import sharp from 'sharp';
import { LocalImageProvider, type LocalImageResult } from '../../activities/providers/local-image';
import { ProviderError } from '../../activities/providers/provider';
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { makeCall, makeContext, type TestContext } from './context';

const local = new LocalImageProvider();
let t: TestContext;
let fal: FakeFal;

beforeAll(async () => {
  fal = await startFakeFal();
});
afterAll(() => fal.close());
beforeEach(() => {
  t = makeContext();
});

async function run(task: string, payload: Record<string, unknown>): Promise<LocalImageResult> {
  const out = await local.run(makeCall(`local/${task}`, payload), t.ctx);
  return out.result as LocalImageResult;
}

async function bytesOf(result: LocalImageResult): Promise<Buffer> {
  const bytes = await t.assets.readByUrl(result.image.url);
  if (!bytes) throw new Error(`not stored: ${result.image.url}`);
  return bytes;
}

async function pixel(result: LocalImageResult, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(await bytesOf(result))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...data.subarray(i, i + 4)];
}

async function refusal(task: string, payload: Record<string, unknown>): Promise<ProviderError> {
  const err = await run(task, payload).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect((err as ProviderError).details).toMatchObject({ status: 422, retryable: false });
  return err as ProviderError;
}

/** A 100x60 opaque image: left half red, right half blue. */
async function twoTone(): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="60"><rect width="50" height="60" fill="#ff0000"/><rect x="50" width="50" height="60" fill="#0000ff"/></svg>`;
  return (await run('render-svg', { svg })).image.url;
}

describe('local image tasks', () => {
  it('renders text to a padded PNG on a transparent background', async () => {
    const result = await run('render-text', {
      text: 'Hi!',
      font_size: 48,
      color: '#ff0000',
      padding: 10,
    });
    const meta = await sharp(await bytesOf(result)).metadata();
    expect([meta.format, meta.hasAlpha]).toEqual(['png', true]);
    expect(result.image).toMatchObject({
      width: meta.width,
      height: meta.height,
      content_type: 'image/png',
    });
    expect(result.images).toEqual([result.image]);
    expect(await pixel(result, 0, 0)).toEqual([0, 0, 0, 0]);
    const trimmed = await run('trim', { image_url: result.image.url });
    expect(trimmed.image.width).toBe(meta.width - 20);
    expect(trimmed.image.height).toBe(meta.height - 20);
    expect(t.assets.stored[0]?.meta).toMatchObject({ executionId: 'exec_test' });
  });

  it('render-text → trim → outline grows the shape by the outline size on every side', async () => {
    const text = await run('render-text', { text: 'Skein', font_size: 40 });
    const trimmed = await run('trim', { image_url: text.image.url });
    const outlined = await run('outline', {
      image_url: trimmed.image.url,
      size: 6,
      color: '#00ff00',
    });
    expect(outlined.image.width).toBe(trimmed.image.width + 12);
    expect(outlined.image.height).toBe(trimmed.image.height + 12);
    const meta = await sharp(await bytesOf(outlined)).metadata();
    expect([meta.format, meta.hasAlpha]).toEqual(['png', true]);
    // The outline reaches the new edges: trimming it again removes nothing.
    const again = await run('trim', { image_url: outlined.image.url });
    expect([again.image.width, again.image.height]).toEqual([
      outlined.image.width,
      outlined.image.height,
    ]);
    // Corners stay clear (round dilation), and the outline colour shows outside the glyphs.
    expect((await pixel(outlined, 0, 0))[3]).toBe(0);
    const { data } = await sharp(await bytesOf(outlined))
      .raw()
      .toBuffer({ resolveWithObject: true });
    let green = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === 0 && data[i + 1] === 255 && data[i + 2] === 0 && data[i + 3] === 255) green++;
    }
    expect(green).toBeGreaterThan(100);
  });

  it('outlines a greyscale image without alpha', async () => {
    const grey = await sharp({
      create: { width: 20, height: 10, channels: 3, background: '#808080' },
    })
      .greyscale()
      .png()
      .toBuffer();
    const input = await t.assets.put(grey, {});
    const result = await run('outline', { image_url: input.url, size: 3 });
    expect([result.image.width, result.image.height]).toEqual([26, 16]);
    expect(await pixel(result, 1, 8)).toEqual([255, 255, 255, 255]);
    expect(await pixel(result, 13, 8)).toEqual([128, 128, 128, 255]);
  });

  it('fixes the width and centres wrapped text when width is given', async () => {
    const result = await run('render-text', {
      text: 'one two three four five six',
      font_size: 20,
      width: 120,
      background: '#ffffff',
    });
    expect(result.image.width).toBe(120);
    expect(result.image.height).toBeGreaterThan(50);
    expect(await pixel(result, 0, 0)).toEqual([255, 255, 255, 255]);
  });

  it('renders SVG, resizes keeping the ratio, crops and borders', async () => {
    const url = await twoTone();
    const resized = await run('resize', { image_url: url, width: 50 });
    expect([resized.image.width, resized.image.height]).toEqual([50, 30]);
    const cropped = await run('crop', { image_url: url, left: 40, top: 0, width: 20, height: 10 });
    expect([cropped.image.width, cropped.image.height]).toEqual([20, 10]);
    expect(await pixel(cropped, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(await pixel(cropped, 19, 0)).toEqual([0, 0, 255, 255]);
    const bordered = await run('border', { image_url: url, size: 5, color: '#00ff00' });
    expect([bordered.image.width, bordered.image.height]).toEqual([110, 70]);
    expect(await pixel(bordered, 2, 2)).toEqual([0, 255, 0, 255]);
    expect(await pixel(bordered, 10, 10)).toEqual([255, 0, 0, 255]);
  });

  it('composites at an offset or centred, and converts formats', async () => {
    const base = await twoTone();
    const overlay = (
      await run('render-svg', {
        svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#00ff00"/></svg>',
      })
    ).image.url;
    const placed = await run('composite', {
      base_url: base,
      overlay_url: overlay,
      left: 0,
      top: 0,
    });
    expect(await pixel(placed, 5, 5)).toEqual([0, 255, 0, 255]);
    expect(await pixel(placed, 50, 30)).toEqual([0, 0, 255, 255]);
    const centred = await run('composite', { base_url: base, overlay_url: overlay });
    expect(await pixel(centred, 50, 30)).toEqual([0, 255, 0, 255]);

    const jpeg = await run('convert', { image_url: base, format: 'jpeg', quality: 80 });
    expect(jpeg.image.content_type).toBe('image/jpeg');
    expect((await sharp(await bytesOf(jpeg)).metadata()).format).toBe('jpeg');
    const webp = await run('convert', { image_url: base, format: 'webp' });
    expect(webp.image.content_type).toBe('image/webp');
  });

  it('downloads input images over HTTP when they are not in the asset store', async () => {
    const result = await run('resize', { image_url: `${fal.url}/files/x.png`, width: 16 });
    expect([result.image.width, result.image.height]).toEqual([16, 16]);
  });

  it('refuses bad payloads with 422 naming the field', async () => {
    const url = await twoTone();
    expect((await refusal('resize', { width: 10 })).message).toContain('image_url');
    expect((await refusal('resize', { image_url: url })).message).toContain('width');
    expect(
      (await refusal('border', { image_url: url, size: 2, color: 'nocolour' })).message,
    ).toContain('color');
    expect(
      (await refusal('crop', { image_url: url, left: 90, top: 0, width: 20, height: 5 })).message,
    ).toContain('width');
    expect((await refusal('render-text', { text: '   ' })).message).toContain('text');
    expect((await refusal('render-svg', { svg: 'not svg' })).message).toContain('svg');
    expect((await refusal('convert', { image_url: url, format: 'bmp' })).message).toContain(
      'format',
    );
  });

  it('refuses inputs that are not images, and missing downloads fail without retry', async () => {
    const json = await t.assets.put(Buffer.from('{"a":1}'), {});
    expect((await refusal('trim', { image_url: json.url })).message).toContain('image_url');
    const missing = await run('trim', { image_url: `${fal.url}/files/none.gif` }).catch((e) => e);
    expect(missing).toBeInstanceOf(ProviderError);
    expect((missing as ProviderError).details).toMatchObject({ status: 404, retryable: false });
  });
});
