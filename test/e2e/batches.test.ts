/**
 * Batch runs on real parts (Temporal, PostgreSQL, the fake fal over HTTP): creation from JSON,
 * CSV and JSON Lines; per-item validation; failure isolation; counts and paginated items.
 */
import { request } from '../helpers/http';
import {
  allItems,
  createBatch,
  createWorkflow,
  programSteps,
  prompts,
  STEPS,
  submissionsOf,
  waitForBatch,
  useBatchSuite,
} from './batches-support';

const suite = useBatchSuite();

test('one failing item never stops the others: 45 complete, 5 fail at step 2, step 3 never runs for them', async () => {
  const { fal } = suite;
  const items = prompts(50);
  const failing = new Set(items.filter((_, i) => i % 10 === 3));
  programSteps(
    fal,
    { processingMs: 100 },
    {
      'test/step2': {
        processingMs: 100,
        failFor: (p) =>
          failing.has((p as { prompt: string }).prompt)
            ? { status: 422, body: { detail: 'unsupported image' } }
            : undefined,
      },
    },
  );
  const workflowId = await createWorkflow(suite.url);
  const created = await createBatch(suite.url, workflowId, {
    items: items.map((prompt) => ({ prompt })),
    max_concurrency: 10,
    name: 'isolation',
  });
  expect(created).toMatchObject({ name: 'isolation', status: 'running', max_concurrency: 10 });
  expect(created.counts.total).toBe(50);
  expect(created.estimated_cost).toMatchObject({ currency: 'USD', spent: 0 });

  const done = await waitForBatch(suite.url, created.id);
  expect(done.status).toBe('failed');
  expect(done.counts).toEqual({
    total: 50,
    pending: 0,
    running: 0,
    paused: 0,
    awaiting_approval: 0,
    completed: 45,
    failed: 5,
    cancelled: 0,
    timed_out: 0,
  });
  expect(done.progress).toBe(1);
  for (const prompt of items) {
    expect(submissionsOf(fal, STEPS[0], prompt)).toBe(1);
    expect(submissionsOf(fal, STEPS[1], prompt)).toBe(1);
    expect(submissionsOf(fal, STEPS[2], prompt)).toBe(failing.has(prompt) ? 0 : 1);
  }

  const failed = await allItems(suite.url, created.id, 'failed');
  expect(failed.map((e) => e.input_params.prompt).sort()).toEqual([...failing].sort());
  for (const item of failed) {
    expect(item.error).toMatchObject({ node_id: 's2' });
    expect(items[item.batch_index]).toBe(item.input_params.prompt);
  }
  const one = await request(suite.url, 'GET', `/api/workflow-executions/${failed[0].id}`);
  expect(one.body.execution.nodes.s3.status).toBe('skipped');
  expect(one.body.execution.status_history.map((s: any) => s.status)).toEqual([
    'pending',
    'running',
    'failed',
  ]);
});

test('items are paginated with a cursor and filtered by status; batches are listed', async () => {
  programSteps(suite.fal, {});
  const workflowId = await createWorkflow(suite.url);
  const batch = await createBatch(suite.url, workflowId, {
    items: prompts(25, 'page').map((prompt) => ({ prompt })),
    max_concurrency: 25,
  });
  await waitForBatch(suite.url, batch.id);
  const first = await request(suite.url, 'GET', `/api/batches/${batch.id}/executions?limit=10`);
  expect(first.body.data).toHaveLength(10);
  expect(first.body.next_cursor).toEqual(expect.any(String));
  const all = await allItems(suite.url, batch.id);
  expect(new Set(all.map((e) => e.id)).size).toBe(25);
  expect(all.map((e) => e.batch_index).sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
  expect(all.every((e) => e.status === 'completed' && e.input_params.tag === 'none')).toBe(true);
  expect(await allItems(suite.url, batch.id, 'failed')).toEqual([]);

  const listed = await request(suite.url, 'GET', '/api/batches?limit=50');
  const mine = listed.body.data.find((b: any) => b.id === batch.id);
  expect(mine).toMatchObject({ status: 'completed', counts: { total: 25, completed: 25 } });
});

test('a CSV upload: header row names the params, numbers and booleans coerced by param type', async () => {
  programSteps(suite.fal, {});
  const workflowId = await createWorkflow(suite.url);
  const csv =
    'prompt,n,flag,extra\r\n"a cat, with a hat",3,true,007\r\nplain,,FALSE,\r\n"say ""hi""",12,0,x\r\n';
  const res = await fetch(
    `${suite.url}/api/workflows/${workflowId}/batches?max_concurrency=2&name=csv`,
    {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    },
  );
  expect(res.status).toBe(201);
  const { batch } = (await res.json()) as any;
  expect(batch).toMatchObject({ name: 'csv', max_concurrency: 2, counts: { total: 3 } });
  await waitForBatch(suite.url, batch.id);
  const items = (await allItems(suite.url, batch.id)).sort((a, b) => a.batch_index - b.batch_index);
  expect(items.map((e) => e.input_params)).toEqual([
    { prompt: 'a cat, with a hat', n: 3, flag: true, extra: '007', tag: 'none' },
    { prompt: 'plain', flag: false, tag: 'none' },
    { prompt: 'say "hi"', n: 12, flag: false, extra: 'x', tag: 'none' },
  ]);
  expect(submissionsOf(suite.fal, STEPS[2], 'a cat, with a hat')).toBe(1);
});

test('a JSON Lines upload: one item per line', async () => {
  programSteps(suite.fal, {});
  const workflowId = await createWorkflow(suite.url);
  const body = '{"prompt":"one","n":1}\n\n{"prompt":"two","tag":"t"}\n';
  const res = await fetch(`${suite.url}/api/workflows/${workflowId}/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  expect(res.status).toBe(201);
  const { batch } = (await res.json()) as any;
  expect(batch.max_concurrency).toBe(10);
  const done = await waitForBatch(suite.url, batch.id);
  expect(done.counts.completed).toBe(2);
  const items = (await allItems(suite.url, batch.id)).sort((a, b) => a.batch_index - b.batch_index);
  expect(items.map((e) => e.input_params)).toEqual([
    { prompt: 'one', n: 1, tag: 'none' },
    { prompt: 'two', tag: 't' },
  ]);
});

test('a bad item is a 400 naming it, and nothing is created', async () => {
  const workflowId = await createWorkflow(suite.url);
  const items = [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }, { n: 2 }, { prompt: 5 }];
  const res = await request(suite.url, 'POST', `/api/workflows/${workflowId}/batches`, { items });
  expect(res.status).toBe(400);
  expect(res.body.error.fields).toEqual([
    { path: 'items[3].prompt', message: 'prompt is required' },
    { path: 'items[4].prompt', message: expect.stringContaining('must be a string') },
  ]);

  const csv = await fetch(`${suite.url}/api/workflows/${workflowId}/batches`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: 'prompt,n\nok,1\nbad,one\n',
  });
  expect(csv.status).toBe(400);
  expect(((await csv.json()) as any).error.fields[0].path).toBe('items[1].n');

  const jsonl = await fetch(`${suite.url}/api/workflows/${workflowId}/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/jsonl' },
    body: '{"prompt":"ok"}\n{"prompt":\n',
  });
  expect(jsonl.status).toBe(400);
  expect(((await jsonl.json()) as any).error.fields[0].path).toBe('items[1]');

  for (const body of [{ items: [] }, { items: [{ prompt: 'x' }], max_concurrency: 0 }, {}]) {
    const r = await request(suite.url, 'POST', `/api/workflows/${workflowId}/batches`, body);
    expect(r.status).toBe(400);
  }
  const listed = await request(suite.url, 'GET', '/api/batches');
  expect(listed.body.data.filter((b: any) => b.workflow_id === workflowId)).toEqual([]);
});

test('unknown workflows and batches answer 404', async () => {
  const create = await request(suite.url, 'POST', '/api/workflows/wf_nope/batches', {
    items: [{ prompt: 'x' }],
  });
  expect(create.status).toBe(404);
  for (const [method, path] of [
    ['GET', '/api/batches/batch_nope'],
    ['GET', '/api/batches/batch_nope/executions'],
    ['PATCH', '/api/batches/batch_nope'],
    ['POST', '/api/batches/batch_nope/pause'],
    ['POST', '/api/batches/batch_nope/resume'],
    ['POST', '/api/batches/batch_nope/cancel'],
    ['POST', '/api/batches/batch_nope/retry-failed'],
  ] as const) {
    const body = method === 'PATCH' ? { max_concurrency: 3 } : undefined;
    const res = await request(suite.url, method, path, body);
    expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'not_found']);
  }
});
