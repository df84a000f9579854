/**
 * Content-type detection from magic bytes. Providers often declare a generic type (or none), and
 * the type we record decides how clients and downstream steps treat the file, so the bytes win.
 */

const OCTET_STREAM = 'application/octet-stream';

function startsWith(bytes: Buffer, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.subarray(start, end).toString('latin1');
}

function sniffRiff(bytes: Buffer): string | undefined {
  if (ascii(bytes, 0, 4) !== 'RIFF') return undefined;
  const form = ascii(bytes, 8, 12);
  if (form === 'WEBP') return 'image/webp';
  if (form === 'WAVE') return 'audio/wav';
  return undefined;
}

/** MPEG audio frame sync; layer bits 00 are reserved (that pattern is AAC/ADTS, not mp3). */
function isMp3Frame(bytes: Buffer): boolean {
  const [b0, b1] = bytes;
  return b0 === 0xff && b1 !== undefined && (b1 & 0xe0) === 0xe0 && (b1 & 0x06) !== 0;
}

function looksLikeJson(bytes: Buffer): boolean {
  const text = bytes.toString('utf8').trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function sniffBinary(bytes: Buffer): string | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 4, 8) === 'ftyp') return 'video/mp4';
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML header: WebM declares its doctype early; anything else is plain Matroska.
    return ascii(bytes, 0, 64).includes('webm') ? 'video/webm' : 'video/x-matroska';
  }
  if (ascii(bytes, 0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(bytes, 0, 3) === 'ID3' || isMp3Frame(bytes)) return 'audio/mpeg';
  return sniffRiff(bytes);
}

/**
 * The content type of `bytes`: what the magic bytes say, else the declared type, else
 * `application/octet-stream`.
 */
export function sniffContentType(bytes: Buffer, declared?: string): string {
  const found = sniffBinary(bytes);
  if (found) return found;
  if (looksLikeJson(bytes)) return 'application/json';
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  return type || OCTET_STREAM;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/x-matroska': 'mkv',
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'application/json': 'json',
  'text/plain': 'txt',
};

/** The file extension the store uses for a content type (`bin` when unknown). */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? 'bin';
}
