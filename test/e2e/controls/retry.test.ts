/**
 * Retry from the failure point: the failed node runs again (optionally with new inputs), then
 * the run continues; completed nodes are never submitted again. Works with the run's workflow
 * closed, even after the worker, the API and the Temporal server were all restarted.
 */
import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { request, waitForExecution } from '../../helpers/http';
import { replayFailures } from '../../helpers/replay';
import { startStack, type TestStack } from '../../helpers/stack';
import { falChain, submissionsOf } from './fal-chain';

let fal: FakeFal;
let stack: TestStack;
beforeAll(async () => {
  fal = await startFakeFal();
  stack = await startStack({
    ownTemporal: true,
    env: { FAL_QUEUE_URL: fal.url, FAL_KEY: fal.key },
  });
});
afterAll(async () => {
  await stack?.close();
  await fal?.close();
});

/** Step 2 of a 3-chain is refused (422) until the fake is "fixed". */
async function failAtStep2(): Promise<string> {
  fal.reset();
  fal.on('fake/image', {});
  fal.on('fake/picky', {
    failure: { status: 422, body: { detail: 'prompt rejected by safety filter' } },
  });
  const def = falChain(3, 'fake/image');
  (def.dag.nodes.step2 as { model_id: string }).model_id = 'fake/picky';
  const wf = await request(stack.url, 'POST', '/api/workflows', def);
  const ex = await request(stack.url, 'POST', `/api/workflows/${wf.body.workflow.id}/execute`, {});
  const failed = await waitForExecution(stack.url, ex.body.execution.id);
  expect(failed.status).toBe('failed');
  expect(failed.nodes.step2).toMatchObject({
    status: 'failed',
    attempts: 1,
    error: { status: 422 },
  });
  expect(failed.nodes.step3.status).toBe('skipped');
  return failed.id;
}

async function retryAndFinish(id: string, body: object = {}) {
  fal.on('fake/picky', {});
  const retried = await request(stack.url, 'POST', `/api/workflow-executions/${id}/retry`, body);
  expect(retried.status).toBe(202);
  expect(retried.body.retried_nodes).toEqual(['step2']);
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('completed');
  expect(submissionsOf(fal, 'step1')).toBe(1);
  expect(submissionsOf(fal, 'step2')).toBe(2);
  expect(submissionsOf(fal, 'step3')).toBe(1);
  expect(done.status_history.map((s: any) => s.status)).toEqual([
    'pending',
    'running',
    'failed',
    'running',
    'completed',
  ]);
  return done;
}

test('retry after the run failed re-runs only the failed node, with changed inputs', async () => {
  const id = await failAtStep2();
  const done = await retryAndFinish(id, {
    node_id: 'step2',
    inputs: { prompt: 'a gentler prompt' },
  });
  const resubmitted = fal.submissionsFor('fake/picky').at(-1)!.payload as {
    prompt: string;
    step: string;
  };
  expect(resubmitted).toEqual({ prompt: 'a gentler prompt', step: 'step2' });
  expect(done.nodes.step2.attempts).toBe(2);
  const twice = await request(stack.url, 'POST', `/api/workflow-executions/${id}/retry`, {});
  expect(twice.status).toBe(409);
  expect(twice.body.error.current_status).toBe('completed');
  expect(await replayFailures(stack.endpoints.temporalAddress, [id])).toEqual([]);
});

test('retry works after the worker, the API and the Temporal server were restarted', async () => {
  const id = await failAtStep2();
  await stack.restart();
  const before = await request(stack.url, 'GET', `/api/workflow-executions/${id}`);
  expect(before.body.execution.status).toBe('failed');
  await retryAndFinish(id);
});

test('retry refuses what makes no sense', async () => {
  const id = await failAtStep2();
  const notFailed = await request(stack.url, 'POST', `/api/workflow-executions/${id}/retry`, {
    node_id: 'step1',
  });
  expect(notFailed.status).toBe(409);
  expect(notFailed.body.error.current_status).toBe('completed');
  const inputsAlone = await request(stack.url, 'POST', `/api/workflow-executions/${id}/retry`, {
    inputs: {},
  });
  expect(inputsAlone.status).toBe(400);
  expect(inputsAlone.body.error.fields[0].path).toBe('inputs');
});

test('a paused run stays paused across a restart of worker, API and Temporal, then resumes', async () => {
  fal.reset();
  fal.on('fake/image', { processingMs: 600 });
  const wf = await request(stack.url, 'POST', '/api/workflows', falChain(3, 'fake/image'));
  const ex = await request(stack.url, 'POST', `/api/workflows/${wf.body.workflow.id}/execute`, {});
  const id = ex.body.execution.id;
  await waitForExecution(stack.url, id, (e) => e.nodes.step1.status === 'running');
  expect((await request(stack.url, 'POST', `/api/workflow-executions/${id}/pause`)).status).toBe(
    200,
  );
  await waitForExecution(stack.url, id, (e) => e.nodes.step1.status === 'completed');

  await stack.restart();
  const held = await waitForExecution(stack.url, id, () => true);
  expect(held.status).toBe('paused');
  expect(held.nodes.step2.status).toBe('pending');
  expect(submissionsOf(fal, 'step2')).toBe(0);

  expect((await request(stack.url, 'POST', `/api/workflow-executions/${id}/resume`)).status).toBe(
    200,
  );
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('completed');
  for (const step of ['step1', 'step2', 'step3']) expect(submissionsOf(fal, step)).toBe(1);
});
