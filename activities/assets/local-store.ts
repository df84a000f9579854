/**
 * The asset store for a single machine: files under a directory (served by the API under
 * `/assets`), one `assets` row per file.
 */
import { createHash, randomInt } from 'node:crypto';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../runtime/database';
import { extensionFor, sniffContentType } from './sniff';
import type { AssetStore, AssetWrite, StoredAsset } from './store';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new asset id: `asset_` and 20 random base62 characters (~119 bits). */
export function newAssetId(): string {
  let id = 'asset_';
  for (let i = 0; i < 20; i++) id += BASE62[randomInt(BASE62.length)];
  return id;
}

/** Where files go, how they are addressed, and where their rows are recorded. */
export interface LocalAssetStoreOptions {
  /** Root directory; files land in `<dir>/<yyyy-mm-dd>/<assetId>.<ext>`. */
  dir: string;
  /** Base URL of the API serving `/assets` (no trailing slash needed). */
  publicUrl: string;
  db: Database;
  organizationId: string;
}

/** Stores assets as files in a local directory and records each in the `assets` table. */
export class LocalAssetStore implements AssetStore {
  private readonly dir: string;
  private readonly prefix: string;

  constructor(private readonly options: LocalAssetStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.prefix = `${options.publicUrl.replace(/\/+$/, '')}/assets/`;
  }

  async put(bytes: Buffer, meta: AssetWrite): Promise<StoredAsset> {
    const id = newAssetId();
    const contentType = sniffContentType(bytes, meta.contentType);
    const day = new Date().toISOString().slice(0, 10);
    const storageKey = `${day}/${id}.${extensionFor(contentType)}`;
    const file = path.join(this.dir, storageKey);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await mkdir(path.dirname(file), { recursive: true });
    // The file is written before the row so a row always points at a complete file.
    await writeFile(file, bytes, { flag: 'wx' });
    try {
      await this.options.db.asset.create({
        data: {
          id,
          organization_id: this.options.organizationId,
          execution_id: meta.executionId ?? null,
          node_id: meta.nodeId ?? null,
          storage_key: storageKey,
          content_type: contentType,
          size_bytes: bytes.length,
          sha256,
        },
      });
    } catch (err) {
      await unlink(file).catch(() => undefined);
      throw err;
    }
    return { id, url: this.prefix + storageKey, contentType, sizeBytes: bytes.length, sha256 };
  }

  async readByUrl(url: string): Promise<Buffer | undefined> {
    const file = this.fileFor(url);
    if (!file) return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** The file a URL of ours names, or undefined when it is foreign or escapes the directory. */
  private fileFor(url: string): string | undefined {
    if (!url.startsWith(this.prefix)) return undefined;
    let key: string;
    try {
      key = decodeURIComponent(url.slice(this.prefix.length).replace(/[?#].*$/, ''));
    } catch {
      return undefined;
    }
    const file = path.resolve(this.dir, key);
    if (!file.startsWith(this.dir + path.sep)) return undefined;
    return file;
  }
}
