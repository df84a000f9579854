/** Small but valid media files for the fakes to serve (decodable by sharp, sniffable). */
import sharp from 'sharp';

/** A `size`×`size` PNG: a red disc on transparency, so alpha-aware operations have a shape. */
export async function makePng(size = 64): Promise<Buffer> {
  const r = size / 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${r}" cy="${r}" r="${r * 0.75}" fill="#e02020"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A mono 16-bit PCM WAV of silence. */
export function makeWav(durationMs = 100, sampleRate = 8000): Buffer {
  const samples = Math.round((sampleRate * durationMs) / 1000);
  const data = samples * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data, 40);
  return Buffer.concat([header, Buffer.alloc(data)]);
}

/** The start of an MP4 (an `ftyp` box): enough for content sniffing, not for playback. */
export const FAKE_MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom', 'latin1'),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from('isomiso2', 'latin1'),
]);

/** What `GET /files/<name>` serves, by extension; undefined → 404. */
export function fileFor(
  name: string,
  png: Buffer,
): { bytes: Buffer; contentType: string } | undefined {
  if (name.endsWith('.png')) return { bytes: png, contentType: 'image/png' };
  if (name.endsWith('.mp4')) return { bytes: FAKE_MP4, contentType: 'video/mp4' };
  if (name.endsWith('.wav')) return { bytes: makeWav(), contentType: 'audio/wav' };
  return undefined;
}
