/**
 * A worker process dies (SIGKILL) while a fal request is in progress. The attempt stops
 * heartbeating, Temporal times it out after HEARTBEAT_TIMEOUT_S (2 s in test stacks) and retries
 * it on a fresh worker process, which resumes the SAME fal request from the heartbeat details
 * instead of paying for a second one. The API keeps answering status polls throughout.
 */
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { request, waitForExecution } from '../helpers/http';
import { groupAlive, killGroup, spawnRole, type RoleProcess } from '../helpers/process-group';
import { startStack, type TestStack } from '../helpers/stack';

const MODEL = 'fal-ai/slow-video-model';

let fal: FakeFal;
let stack: TestStack;
let temporal: Client;
const children: RoleProcess[] = [];

/** `npm run worker` as its own OS process, in its own process group. */
function spawnWorker(): RoleProcess {
  const worker = spawnRole('worker/main.ts', {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...stack.env,
    LOG_LEVEL: 'info',
    SKEIN_WORKFLOW_BUNDLE: process.env.SKEIN_WORKFLOW_BUNDLE,
  });
  children.push(worker);
  return worker;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const logs = children.map((c) => c.output.join('')).join('\n---\n');
      throw new Error(`timed out waiting for ${what}; worker output:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The heartbeat details Temporal holds for the run's pending `runTask` attempt. */
async function pendingHeartbeat(executionId: string) {
  const { raw } = await temporal.workflow.getHandle(executionId).describe();
  const activity = raw.pendingActivities?.find((a) => a.activityType?.name === 'runTask');
  const payload = activity?.heartbeatDetails?.payloads?.[0];
  if (!activity || !payload) return undefined;
  return {
    attempt: activity.attempt ?? 0,
    details: defaultPayloadConverter.fromPayload<{ request_id?: string }>(payload),
  };
}

beforeAll(async () => {
  fal = await startFakeFal();
  stack = await startStack({ worker: false, env: { FAL_QUEUE_URL: fal.url, FAL_KEY: fal.key } });
  const connection = await Connection.connect({ address: stack.endpoints.temporalAddress });
  temporal = new Client({ connection });
});

afterAll(async () => {
  for (const worker of children) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) {
      killGroup(worker, 'SIGTERM');
    }
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(children.map((c) => c.exited)),
    new Promise((r) => (timer = setTimeout(r, 10_000))),
  ]);
  clearTimeout(timer);
  for (const worker of children) killGroup(worker, 'SIGKILL');
  await temporal?.connection.close();
  await stack?.close();
  await fal?.close();
});

test('a worker killed mid-request: the retry resumes the same fal request on a new worker', async () => {
  fal.on(MODEL, { processingMs: 4000 });
  const created = await request(stack.url, 'POST', '/api/workflows', {
    name: 'slow video',
    dag: {
      nodes: {
        video: {
          task: 'fal/text-to-video',
          model_id: MODEL,
          inputs: { prompt: 'waves at night', num_frames: 81 },
        },
      },
      edges: [],
    },
  });
  expect(created.status).toBe(201);

  const first = spawnWorker();
  const started = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    {},
  );
  expect(started.status).toBe(201);
  const id = started.body.execution.id as string;

  // The request is in progress at fal, and Temporal holds its id in the heartbeat details.
  const submission = await until('the fal submission', () => fal.submissionsFor(MODEL)[0]);
  const requestId = submission.request_id!;
  expect(requestId).toBeDefined();
  const beat = await until('the heartbeat with the request id', async () => {
    const hb = await pendingHeartbeat(id);
    return hb?.details?.request_id ? hb : undefined;
  });
  expect(beat).toMatchObject({ attempt: 1, details: { request_id: requestId } });
  expect(fal.statusOf(requestId)).not.toBe('COMPLETED');

  killGroup(first, 'SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  await until('the worker process group to die', () => (groupAlive(first) ? undefined : true));
  const killedAt = Date.now();

  // With no worker at all, the API still answers from the database.
  const orphaned = await request(stack.url, 'GET', `/api/workflow-executions/${id}`);
  expect(orphaned.status).toBe(200);
  expect(orphaned.body.execution.status).toBe('running');
  expect(orphaned.body.execution.nodes.video.status).toBe('running');

  const second = spawnWorker();
  const polls: { status: number; execution: string; at: number }[] = [];
  const done = await waitForExecution(
    stack.url,
    id,
    (e) => {
      polls.push({ status: 200, execution: e.status, at: Date.now() });
      return e.status !== 'running' && e.status !== 'pending';
    },
    30_000,
  );

  expect(done.status).toBe('completed');
  // Exactly one request was paid for: the retry resumed it by its id.
  expect(fal.submissionsFor(MODEL)).toHaveLength(1);
  expect(fal.submissions).toHaveLength(1);
  expect(done.nodes.video).toMatchObject({ status: 'completed', request_id: requestId });
  // The killed attempt plus the one that finished; on a loaded machine a further attempt may
  // have missed the 2 s heartbeat timeout too, and it resumed the same request all the same.
  expect(done.nodes.video.attempts).toBeGreaterThanOrEqual(2);
  expect(done.outputs.video.video.url).toBe(`${fal.url}/files/${requestId}.mp4`);
  // Status polls kept being answered between the kill and the end of the run.
  expect(polls.length).toBeGreaterThan(1);
  expect(polls.every((p) => p.at >= killedAt)).toBe(true);
  expect(polls.filter((p) => p.execution === 'running').length).toBeGreaterThan(0);
  // The new worker is a different, live process.
  expect(second.child.pid).not.toBe(first.child.pid);
  expect(second.child.exitCode).toBeNull();
});
