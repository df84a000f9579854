/**
 * The one place bytes produced by steps are written. Today a local directory served by the API
 * under `/assets`; an S3-compatible store (roadmap) implements the same interface.
 */

export interface StoredAsset {
  id: string;
  /** Absolute URL clients (and downstream providers) can download. */
  url: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
}

export interface AssetWrite {
  executionId?: string;
  nodeId?: string;
  /** Declared type; the store sniffs the bytes and trusts what it finds over this. */
  contentType?: string;
}

export interface AssetStore {
  put(bytes: Buffer, meta: AssetWrite): Promise<StoredAsset>;
  /** Reads an asset back by the URL `put` returned (local images chained between steps). */
  readByUrl(url: string): Promise<Buffer | undefined>;
}
