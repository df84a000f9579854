/** Public resource ids: `<prefix>_` + random base62, unguessable and URL-safe. */
import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Largest multiple of 62 below 256: bytes at or above it are dropped so no digit is favoured. */
const UNBIASED_LIMIT = 248;

/** `newId('wf')` → `wf_3kTMd9Qx0aLbZ2vR7nYp` (20 base62 characters, ~119 bits). */
export function newId(prefix: string, length = 20): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < UNBIASED_LIMIT && out.length < length) out += BASE62[byte % 62];
    }
  }
  return `${prefix}_${out}`;
}
