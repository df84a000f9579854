import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalAssetStore } from '../../activities/assets/local-store';
import { createDatabase, LOCAL_ORGANIZATION_ID, type Database } from '../../runtime/database';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { makePng } from '../fakes/media';

const PUBLIC_URL = 'http://skein.test:3000';
let testDb: TestDatabase;
let db: Database;
let root: string;
let dir: string;
let store: LocalAssetStore;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase(testDb.url);
  root = await mkdtemp(path.join(tmpdir(), 'skein-assets-'));
  dir = path.join(root, 'assets');
  store = new LocalAssetStore({
    dir,
    publicUrl: PUBLIC_URL,
    db,
    organizationId: LOCAL_ORGANIZATION_ID,
  });
});

afterAll(async () => {
  await db.$disconnect();
  await testDb.drop();
  await rm(root, { recursive: true, force: true });
});

describe('LocalAssetStore', () => {
  it('writes the file under its day, records a row and answers a public URL', async () => {
    const png = await makePng(8);
    const asset = await store.put(png, {
      executionId: 'exec_1',
      nodeId: 'img',
      contentType: 'application/octet-stream',
    });
    const day = new Date().toISOString().slice(0, 10);
    const key = `${day}/${asset.id}.png`;
    expect(asset.id).toMatch(/^asset_[0-9A-Za-z]{20}$/);
    expect(asset).toMatchObject({
      url: `${PUBLIC_URL}/assets/${key}`,
      contentType: 'image/png',
      sizeBytes: png.length,
      sha256: createHash('sha256').update(png).digest('hex'),
    });
    expect(await readFile(path.join(dir, key))).toEqual(png);
    const row = await db.asset.findUniqueOrThrow({ where: { id: asset.id } });
    expect(row).toMatchObject({
      organization_id: LOCAL_ORGANIZATION_ID,
      execution_id: 'exec_1',
      node_id: 'img',
      storage_key: key,
      content_type: 'image/png',
      size_bytes: png.length,
      sha256: asset.sha256,
    });
  });

  it('keeps the declared type for bytes it cannot identify', async () => {
    const text = await store.put(Buffer.from('plain words'), { contentType: 'text/plain' });
    expect(text.url).toMatch(/\.txt$/);
    const json = await store.put(Buffer.from('{"ok":true}'), {});
    expect(json.contentType).toBe('application/json');
    const unknown = await store.put(Buffer.from([1, 2, 3]), {});
    expect([unknown.contentType, unknown.url.endsWith('.bin')]).toEqual([
      'application/octet-stream',
      true,
    ]);
    const row = await db.asset.findUniqueOrThrow({ where: { id: text.id } });
    expect([row.execution_id, row.node_id]).toEqual([null, null]);
  });

  it('reads its own URLs back and ignores foreign or escaping ones', async () => {
    const bytes = Buffer.from('{"n":1}');
    const asset = await store.put(bytes, {});
    expect(await store.readByUrl(asset.url)).toEqual(bytes);
    expect(await store.readByUrl(`${asset.url}?download=1`)).toEqual(bytes);
    expect(
      await store.readByUrl(`http://elsewhere.test/assets/${asset.url.split('/assets/')[1]}`),
    ).toBeUndefined();
    expect(await store.readByUrl(`${PUBLIC_URL}/assets/2000-01-01/missing.png`)).toBeUndefined();

    await writeFile(path.join(root, 'secret.txt'), 'do not serve');
    expect(await store.readByUrl(`${PUBLIC_URL}/assets/../secret.txt`)).toBeUndefined();
    expect(await store.readByUrl(`${PUBLIC_URL}/assets/%2e%2e%2fsecret.txt`)).toBeUndefined();
    expect(await store.readByUrl(`${PUBLIC_URL}/assets/x/..%2F..%2Fsecret.txt`)).toBeUndefined();
    expect(await store.readByUrl(`${PUBLIC_URL}/assets/%E0%A4%A`)).toBeUndefined();
  });
});
