/** An in-memory AssetStore for provider tests that need no database; sniffs like the real one. */
import { createHash, randomUUID } from 'node:crypto';
import { extensionFor, sniffContentType } from '../../activities/assets/sniff';
import type { AssetStore, AssetWrite, StoredAsset } from '../../activities/assets/store';

export const MEMORY_ASSETS_URL = 'http://assets.invalid';

/** Keeps assets in a map under `http://assets.invalid/assets/...` URLs. */
export class MemoryAssetStore implements AssetStore {
  /** Everything `put`, in order, with the write metadata it came with. */
  readonly stored: Array<StoredAsset & { meta: AssetWrite; bytes: Buffer }> = [];
  private readonly byUrl = new Map<string, Buffer>();

  async put(bytes: Buffer, meta: AssetWrite): Promise<StoredAsset> {
    const id = `asset_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const contentType = sniffContentType(bytes, meta.contentType);
    const url = `${MEMORY_ASSETS_URL}/assets/${id}.${extensionFor(contentType)}`;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const asset = { id, url, contentType, sizeBytes: bytes.length, sha256 };
    this.stored.push({ ...asset, meta, bytes });
    this.byUrl.set(url, bytes);
    return asset;
  }

  async readByUrl(url: string): Promise<Buffer | undefined> {
    return this.byUrl.get(url);
  }
}
