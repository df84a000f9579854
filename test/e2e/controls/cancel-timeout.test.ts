/**
 * Cancel and run timeout: the in-flight fal request is cancelled at fal (its cancel_url is
 * called), the run's status is final, and no activity keeps running or polling afterwards: not
 * in Temporal's describe of the workflow, not at the fake fal, and the worker's log shows the
 * attempt acknowledging its cancellation.
 */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { request, waitForExecution } from '../../helpers/http';
import { replayFailures } from '../../helpers/replay';
import { startStack, type TestStack } from '../../helpers/stack';
import { falChain } from './fal-chain';

let fal: FakeFal;
let stack: TestStack;
let client: Client;
/** The stack's log lines (worker and API), parsed. */
const log: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  fal = await startFakeFal();
  const logger = pino({ level: 'info' }, { write: (line: string) => log.push(JSON.parse(line)) });
  stack = await startStack({ logger, env: { FAL_QUEUE_URL: fal.url, FAL_KEY: fal.key } });
  client = new Client({
    connection: await Connection.connect({ address: stack.endpoints.temporalAddress }),
  });
});
afterAll(async () => {
  await client?.connection.close();
  await stack?.close();
  await fal?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startSlowRun(extra: Record<string, unknown> = {}): Promise<string> {
  fal.on('fake/very-slow', { processingMs: 60_000 });
  const wf = await request(
    stack.url,
    'POST',
    '/api/workflows',
    falChain(2, 'fake/very-slow', extra),
  );
  const ex = await request(stack.url, 'POST', `/api/workflows/${wf.body.workflow.id}/execute`, {});
  const id = ex.body.execution.id;
  await waitForExecution(
    stack.url,
    id,
    (e) => e.nodes.step1.status === 'running' && e.nodes.step1.attempts > 0,
  );
  return id;
}

/** Nothing of the run is still running: Temporal has no pending activity and fal sees no polls. */
async function expectNothingRunning(id: string) {
  // The database records the final state just before the workflow closes.
  await client.workflow
    .getHandle(id)
    .result()
    .catch(() => undefined);
  const description = await client.workflow.getHandle(id).describe();
  expect(description.raw.pendingActivities ?? []).toHaveLength(0);
  const polls = fal.statusPolls;
  await sleep(1000);
  expect(fal.statusPolls).toBe(polls);
  const attemptsEnded = log.filter(
    (l) => l.msg === 'task attempt cancelled' && l.execution_id === id,
  );
  expect(attemptsEnded).toEqual([expect.objectContaining({ node_id: 'step1', attempt: 1 })]);
  return description;
}

test('cancel stops the provider request and ends the run cancelled', async () => {
  const id = await startSlowRun();
  const requestId = fal.submissionsFor('fake/very-slow')[0]!.request_id!;
  const res = await request(stack.url, 'POST', `/api/workflow-executions/${id}/cancel`);
  expect(res.status).toBe(202);
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('cancelled');
  expect(done.nodes.step1.status).toBe('cancelled');
  expect(done.nodes.step2.status).toBe('cancelled');
  expect(fal.cancels).toContain(requestId);
  expect(fal.submissionsFor('fake/very-slow')).toHaveLength(1);
  const description = await expectNothingRunning(id);
  expect(description.status.name).toBe('CANCELLED');
  const again = await request(stack.url, 'POST', `/api/workflow-executions/${id}/cancel`);
  expect(again.status).toBe(409);
  expect(again.body.error.current_status).toBe('cancelled');
  expect(await replayFailures(stack.endpoints.temporalAddress, [id])).toEqual([]);
});

test('settings.timeout_s ends the run timed_out and cancels the request the same way', async () => {
  const started = Date.now();
  const id = await startSlowRun({ settings: { timeout_s: 2 } });
  const requestId = fal.submissionsFor('fake/very-slow').at(-1)!.request_id!;
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('timed_out');
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(done.nodes.step1).toMatchObject({ status: 'cancelled', error: { code: 'timed_out' } });
  expect(fal.cancels).toContain(requestId);
  const description = await expectNothingRunning(id);
  expect(description.status.name).toBe('FAILED');
  expect(done.status_history.map((s: any) => s.status)).toEqual([
    'pending',
    'running',
    'timed_out',
  ]);
  expect(await replayFailures(stack.endpoints.temporalAddress, [id])).toEqual([]);
});

test('a paused run can be cancelled', async () => {
  const id = await startSlowRun();
  expect((await request(stack.url, 'POST', `/api/workflow-executions/${id}/pause`)).status).toBe(
    200,
  );
  expect((await request(stack.url, 'POST', `/api/workflow-executions/${id}/cancel`)).status).toBe(
    202,
  );
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('cancelled');
});
