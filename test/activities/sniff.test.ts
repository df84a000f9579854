import { extensionFor, sniffContentType } from '../../activities/assets/sniff';
import { FAKE_MP4, makePng, makeWav } from '../fakes/media';

const bytes = (...parts: Array<number[] | string>) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

describe('sniffContentType', () => {
  it.each([
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')],
    ['image/webp', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')],
    ['image/gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['video/mp4', FAKE_MP4],
    ['video/webm', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm')],
    ['audio/wav', makeWav(10)],
    ['audio/mpeg', bytes('ID3', [4, 0, 0, 0])],
    ['audio/mpeg', bytes([0xff, 0xfb, 0x90, 0x64])],
    ['audio/ogg', bytes('OggS', [0, 2])],
    ['application/json', bytes(' {"a": [1, 2]}\n')],
  ])('recognises %s', (type, data) => {
    expect(sniffContentType(data, 'application/octet-stream')).toBe(type);
  });

  it('trusts the bytes over the declared type', async () => {
    expect(sniffContentType(await makePng(4), 'image/jpeg')).toBe('image/png');
  });

  it('falls back to the declared type, then octet-stream', () => {
    expect(sniffContentType(bytes('hello'), 'text/plain; charset=utf-8')).toBe('text/plain');
    expect(sniffContentType(bytes('{not json'))).toBe('application/octet-stream');
    // ADTS AAC shares mp3's sync bits but has layer 00.
    expect(sniffContentType(bytes([0xff, 0xf1, 0x50, 0x80]), 'audio/aac')).toBe('audio/aac');
  });

  it('maps content types to file extensions', () => {
    expect(extensionFor('image/jpeg')).toBe('jpg');
    expect(extensionFor('audio/mpeg')).toBe('mp3');
    expect(extensionFor('application/x-unknown')).toBe('bin');
  });
});
