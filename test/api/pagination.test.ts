/** GET /api/workflows: keyset pagination, newest first, deleted workflows left out. */
import { simpleWorkflow } from './fixtures';
import { startTestServer, type TestServer } from './server';

let server: TestServer;
/** Ids of the live workflows, newest first. */
let expected: string[];

beforeAll(async () => {
  server = await startTestServer();
  const ids: string[] = [];
  // Sequential, so creation order (and created_at) is well defined.
  for (let i = 0; i < 8; i++) {
    const res = await server.request('POST', '/api/workflows', simpleWorkflow(`wf ${i}`));
    ids.push(res.body.workflow.id);
  }
  const deleted = ids.splice(3, 1)[0];
  expect((await server.request('DELETE', `/api/workflows/${deleted}`)).status).toBe(204);
  expected = ids.reverse();
});

afterAll(async () => {
  expect(server.statuses).not.toContain(500);
  await server.close();
});

it('walks three pages with the cursor, newest first', async () => {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await server.request('GET', `/api/workflows?limit=3${query}`);
    expect(res.status).toBe(200);
    pages.push(res.body.data.map((w: { id: string }) => w.id));
    cursor = res.body.next_cursor;
  } while (cursor !== null);

  expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
  expect(pages.flat()).toEqual(expected);
});

it('lists summaries without the DAG, 50 by default', async () => {
  const res = await server.request('GET', '/api/workflows');
  expect(res.status).toBe(200);
  expect(res.body.next_cursor).toBeNull();
  expect(res.body.data).toHaveLength(7);
  expect(res.body.data[0]).toEqual({
    id: expected[0],
    organization_id: 'org_local',
    name: 'wf 7',
    description: null,
    version: 1,
    created_at: expect.any(String),
    updated_at: expect.any(String),
  });
});

it('returns no next_cursor when the last page is exactly full', async () => {
  const res = await server.request('GET', '/api/workflows?limit=7');
  expect(res.body.data).toHaveLength(7);
  expect(res.body.next_cursor).toBeNull();
});

it.each([
  ['limit=0', 'limit'],
  ['limit=201', 'limit'],
  ['limit=abc', 'limit'],
  ['limit=1&limit=2', 'limit'],
  ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
  ['cursor=%00', 'cursor'],
])('rejects ?%s naming %s', async (query, field) => {
  const res = await server.request('GET', `/api/workflows?${query}`);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('validation_error');
  expect(res.body.error.fields[0].path).toBe(field);
});
