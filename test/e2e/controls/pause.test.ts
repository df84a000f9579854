/** Pause and resume: running steps finish, nothing new starts, and a worker restart changes nothing. */
import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { request, waitForExecution } from '../../helpers/http';
import { replayFailures } from '../../helpers/replay';
import { startStack, type TestStack } from '../../helpers/stack';
import { falChain, submissionsOf } from './fal-chain';

let fal: FakeFal;
let stack: TestStack;
beforeAll(async () => {
  fal = await startFakeFal();
  stack = await startStack({ env: { FAL_QUEUE_URL: fal.url, FAL_KEY: fal.key } });
});
afterAll(async () => {
  await stack?.close();
  await fal?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a 5-node chain paused during node 2 holds at node 2 across a worker restart, then resumes', async () => {
  fal.on('fake/slow-image', { processingMs: 800 });
  const wf = await request(stack.url, 'POST', '/api/workflows', falChain(5));
  const ex = await request(stack.url, 'POST', `/api/workflows/${wf.body.workflow.id}/execute`, {});
  const id = ex.body.execution.id;
  await waitForExecution(stack.url, id, (e) => e.nodes.step2.status === 'running');

  const paused = await request(stack.url, 'POST', `/api/workflow-executions/${id}/pause`);
  expect(paused.status).toBe(200);
  expect(paused.body.execution.status).toBe('paused');
  const again = await request(stack.url, 'POST', `/api/workflow-executions/${id}/pause`);
  expect(again.status).toBe(409);
  expect(again.body.error.current_status).toBe('paused');

  const held = await waitForExecution(stack.url, id, (e) => e.nodes.step2.status === 'completed');
  expect(held.status).toBe('paused');
  await stack.worker!.stop();
  stack.worker = await stack.startWorker();
  await sleep(1500);
  const still = await waitForExecution(stack.url, id, () => true);
  expect(still.status).toBe('paused');
  expect(['step3', 'step4', 'step5'].map((n) => still.nodes[n].status)).toEqual([
    'pending',
    'pending',
    'pending',
  ]);
  expect(submissionsOf(fal, 'step3')).toBe(0);

  const resumed = await request(stack.url, 'POST', `/api/workflow-executions/${id}/resume`);
  expect(resumed.status).toBe(200);
  expect(resumed.body.execution.status).toBe('running');
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('completed');
  for (const step of ['step1', 'step2', 'step3', 'step4', 'step5'])
    expect(submissionsOf(fal, step)).toBe(1);
  expect(done.status_history.map((s: any) => s.status)).toEqual([
    'pending',
    'running',
    'paused',
    'running',
    'completed',
  ]);

  const late = await request(stack.url, 'POST', `/api/workflow-executions/${id}/resume`);
  expect(late.status).toBe(409);
  expect(late.body.error.current_status).toBe('completed');
  expect(await replayFailures(stack.endpoints.temporalAddress, [id])).toEqual([]);
});

test('controls on unknown executions answer 404', async () => {
  for (const control of ['pause', 'resume', 'cancel', 'retry']) {
    const res = await request(
      stack.url,
      'POST',
      `/api/workflow-executions/exec_missing/${control}`,
    );
    expect(res.status).toBe(404);
  }
});
