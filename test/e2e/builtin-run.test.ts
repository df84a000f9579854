/**
 * The core run path on real parts with a built-in task (no provider): HTTP → PostgreSQL →
 * Temporal workflow → activities → persisted results → HTTP.
 */
import { request, waitForExecution } from '../helpers/http';
import { startStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const pickChain = {
  name: 'pick chain',
  dag: {
    nodes: {
      first: { task: 'pick', payload: { source: '${input.words}', indices: [0, 2] } },
      second: {
        task: 'casola/pick',
        payload: { source: '${nodes.first.result.items}', indices: [1] },
      },
    },
    edges: [{ from: 'first', to: 'second' }],
  },
  settings: { input_params: { words: { type: 'array', required: true } } },
};

test('a two-node run completes and its results are persisted and readable', async () => {
  const created = await request(stack.url, 'POST', '/api/workflows', pickChain);
  expect(created.status).toBe(201);
  const started = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    {
      input_params: { words: ['a', 'b', 'c', 'd'] },
    },
  );
  expect(started.status).toBe(201);
  expect(['pending', 'running']).toContain(started.body.execution.status);
  expect(started.body.execution.outputs).toBeNull();

  const done = await waitForExecution(stack.url, started.body.execution.id);
  expect(done.status).toBe('completed');
  expect(done.progress).toBe(1);
  expect(done.outputs).toEqual({ first: { items: ['a', 'c'] }, second: { items: ['c'] } });
  expect(done.nodes.second).toMatchObject({ status: 'completed', attempts: 1, error: null });
  expect(Date.parse(done.nodes.second.started_at)).toBeGreaterThanOrEqual(
    Date.parse(done.nodes.first.finished_at),
  );
  expect(done.status_history.map((s: { status: string }) => s.status)).toEqual([
    'pending',
    'running',
    'completed',
  ]);

  const listed = await request(
    stack.url,
    'GET',
    `/api/workflow-executions?workflow_id=${created.body.workflow.id}&status=completed`,
  );
  expect(listed.status).toBe(200);
  expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([done.id]);
});

test('input params are checked against the definition before a run starts', async () => {
  const created = await request(stack.url, 'POST', '/api/workflows', pickChain);
  const res = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    {
      input_params: { words: 'not-an-array' },
    },
  );
  expect(res.status).toBe(400);
  expect(res.body.error.fields).toEqual([expect.objectContaining({ path: 'input_params.words' })]);
  const missing = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    {},
  );
  expect(missing.status).toBe(400);
  expect(missing.body.error.fields[0].path).toBe('input_params.words');
});

test('unknown executions answer 404', async () => {
  const res = await request(stack.url, 'GET', '/api/workflow-executions/exec_doesnotexist');
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('not_found');
});
