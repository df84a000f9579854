/**
 * Batch controls on real parts: pause/resume, retry-failed from each item's failure point,
 * cancel, max_concurrency (and changing it mid-run), and the 409s of controls that make no sense.
 */
import { request } from '../helpers/http';
import {
  createBatch,
  createWorkflow,
  programSteps,
  prompts,
  sleep,
  STEPS,
  submissionsOf,
  waitForBatch,
  useBatchSuite,
} from './batches-support';

const suite = useBatchSuite();

const control = (id: string, name: string) =>
  request(suite.url, 'POST', `/api/batches/${id}/${name}`);

async function startBatch(n: number, maxConcurrency: number, prefix: string) {
  const workflowId = await createWorkflow(suite.url);
  const items = prompts(n, prefix).map((prompt) => ({ prompt }));
  return createBatch(suite.url, workflowId, { items, max_concurrency: maxConcurrency });
}

test('pause: in-flight steps finish, nothing new starts within 2 s; resume completes every item', async () => {
  const { fal } = suite;
  programSteps(fal, { processingMs: 300 });
  const batch = await startBatch(20, 5, 'pause');
  // Pause while some item still has steps ahead of it (on step 1, step 2 not yet sent): an item
  // already on its last step legitimately completes, so without one nothing would show paused.
  const early = (p: string) =>
    submissionsOf(fal, STEPS[0], p) === 1 && submissionsOf(fal, STEPS[1], p) === 0;
  await waitForBatch(
    suite.url,
    batch.id,
    (b) => b.counts.completed >= 3 && prompts(20, 'pause').some(early),
  );

  const paused = await control(batch.id, 'pause');
  expect(paused.status).toBe(200);
  expect(paused.body.batch.status).toBe('paused');
  await sleep(2000);
  const settled = fal.submissions.length;
  const during = await waitForBatch(suite.url, batch.id, (b) => b.counts.running === 0, 1000);
  expect(during.status).toBe('paused');
  expect(during.counts.paused).toBeGreaterThan(0);
  expect(during.counts.pending).toBeGreaterThan(0);
  expect(fal.inProgress).toBe(0);
  await sleep(1500);
  expect(fal.submissions.length).toBe(settled);

  const again = await control(batch.id, 'pause');
  expect(again.status).toBe(409);
  expect(again.body.error.current_status).toBe('paused');

  const resumed = await control(batch.id, 'resume');
  expect(resumed.status).toBe(200);
  expect(resumed.body.batch.status).toBe('running');
  const done = await waitForBatch(suite.url, batch.id);
  expect(done.status).toBe('completed');
  expect(done.counts).toMatchObject({ total: 20, completed: 20, paused: 0 });
  // Paused items continued where they stopped: no step ran twice.
  for (const prompt of prompts(20, 'pause')) {
    for (const step of STEPS) expect(submissionsOf(fal, step, prompt)).toBe(1);
  }
});

test('retry-failed after fixing the provider: completed steps run once, the failed step twice', async () => {
  const { fal } = suite;
  const items = prompts(12, 'retry');
  const broken = new Set([items[1], items[6], items[10]]);
  programSteps(
    fal,
    { processingMs: 50 },
    {
      'test/step2': {
        processingMs: 50,
        failFor: (p) =>
          broken.has((p as { prompt: string }).prompt) ? { status: 422, body: {} } : undefined,
      },
    },
  );
  const workflowId = await createWorkflow(suite.url);
  const batch = await createBatch(suite.url, workflowId, {
    items: items.map((prompt) => ({ prompt })),
    max_concurrency: 4,
  });
  const failed = await waitForBatch(suite.url, batch.id);
  expect(failed).toMatchObject({ status: 'failed', counts: { completed: 9, failed: 3 } });

  broken.clear(); // the provider is fixed
  const retried = await control(batch.id, 'retry-failed');
  expect(retried.status).toBe(202);
  expect(retried.body.batch.status).toBe('running');
  expect(retried.body.batch.finished_at).toBeNull();
  const done = await waitForBatch(suite.url, batch.id);
  expect(done).toMatchObject({ status: 'completed', counts: { completed: 12, failed: 0 } });
  for (const prompt of items) {
    const wasBroken = [items[1], items[6], items[10]].includes(prompt);
    expect([prompt, submissionsOf(fal, STEPS[0], prompt)]).toEqual([prompt, 1]);
    expect([prompt, submissionsOf(fal, STEPS[1], prompt)]).toEqual([prompt, wasBroken ? 2 : 1]);
    expect([prompt, submissionsOf(fal, STEPS[2], prompt)]).toEqual([prompt, 1]);
  }

  const nothingToRetry = await control(batch.id, 'retry-failed');
  expect(nothingToRetry.status).toBe(409);
  expect(nothingToRetry.body.error.current_status).toBe('completed');
});

test('cancel: in-flight provider requests are cancelled, every item ends, nothing new starts', async () => {
  const { fal } = suite;
  programSteps(fal, { processingMs: 5000 });
  const batch = await startBatch(20, 4, 'cancel');
  const deadline = Date.now() + 10_000;
  while (fal.inProgress < 4 && Date.now() < deadline) await sleep(50);
  expect(fal.inProgress).toBe(4);
  const inFlight = fal.submissions.map((s) => s.request_id);

  const cancelled = await control(batch.id, 'cancel');
  expect(cancelled.status).toBe(202);
  expect(cancelled.body.batch.status).toBe('cancelled');
  const done = await waitForBatch(suite.url, batch.id, (b) => b.finished_at !== null, 15_000);
  expect(done.status).toBe('cancelled');
  expect(done.counts).toMatchObject({ total: 20, cancelled: 20, pending: 0, running: 0 });
  expect(fal.cancels.sort()).toEqual(inFlight.sort());
  expect(fal.inProgress).toBe(0);
  const after = fal.submissions.length;
  await sleep(1000);
  expect(fal.submissions.length).toBe(after);
  expect(after).toBe(4);

  for (const name of ['pause', 'resume', 'cancel', 'retry-failed']) {
    const res = await control(batch.id, name);
    expect([name, res.status, res.body.error.current_status]).toEqual([name, 409, 'cancelled']);
  }
  const patch = await request(suite.url, 'PATCH', `/api/batches/${batch.id}`, {
    max_concurrency: 9,
  });
  expect(patch.status).toBe(409);
});

test('max_concurrency bounds items in flight, and raising it mid-run takes effect', async () => {
  const { fal } = suite;
  programSteps(fal, { processingMs: 150 });
  const batch = await startBatch(30, 2, 'limit');
  await waitForBatch(suite.url, batch.id, (b) => b.counts.completed >= 6);
  expect(fal.peakInProgress).toBe(2);

  const resumeRunning = await control(batch.id, 'resume');
  expect(resumeRunning.status).toBe(409);
  expect(resumeRunning.body.error.current_status).toBe('running');
  const noFailures = await control(batch.id, 'retry-failed');
  expect(noFailures.status).toBe(409);

  const patched = await request(suite.url, 'PATCH', `/api/batches/${batch.id}`, {
    max_concurrency: 6,
  });
  expect(patched.status).toBe(200);
  expect(patched.body.batch.max_concurrency).toBe(6);
  const done = await waitForBatch(suite.url, batch.id);
  expect(done).toMatchObject({ status: 'completed', counts: { completed: 30 } });
  expect(fal.peakInProgress).toBeGreaterThan(2);
  expect(fal.peakInProgress).toBeLessThanOrEqual(6);

  const bad = await request(suite.url, 'PATCH', `/api/batches/${batch.id}`, { max_concurrency: 0 });
  expect(bad.status).toBe(400);
  const finished = await request(suite.url, 'PATCH', `/api/batches/${batch.id}`, {
    max_concurrency: 3,
  });
  expect(finished.status).toBe(409);
  expect(finished.body.error.current_status).toBe('completed');
});
