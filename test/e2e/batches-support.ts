/**
 * Shared by the batch suites: a whole stack with the fake fal queue, a three-step fal pipeline
 * whose every request carries the item's `prompt` (so submissions are counted per item and
 * step), and polling helpers.
 */
import { startFakeFal, type FakeFal, type FalBehaviour } from '../fakes/fal-server';
import { request } from '../helpers/http';
import { startStack, type TestStack } from '../helpers/stack';

export const STEPS = ['test/step1', 'test/step2', 'test/step3'] as const;

/** step1 → step2 → step3; every payload carries `${input.prompt}`. */
export const PIPELINE = {
  name: 'three-step batch pipeline',
  dag: {
    nodes: {
      s1: { task: 'fal/text-to-image', model_id: STEPS[0], inputs: { prompt: '${input.prompt}' } },
      s2: {
        task: 'fal/image-to-image',
        model_id: STEPS[1],
        inputs: { prompt: '${input.prompt}', image_url: '${nodes.s1.result.images[0].url}' },
      },
      s3: {
        task: 'fal/upscale',
        model_id: STEPS[2],
        inputs: { prompt: '${input.prompt}', image_url: '${nodes.s2.result.images[0].url}' },
      },
    },
    edges: [
      { from: 's1', to: 's2' },
      { from: 's2', to: 's3' },
    ],
  },
  settings: {
    input_params: {
      prompt: { type: 'string', required: true },
      n: { type: 'integer' },
      flag: { type: 'boolean' },
      tag: { type: 'string', default: 'none' },
    },
  },
};

export interface BatchSuite {
  stack: TestStack;
  fal: FakeFal;
  /** The stack's API base URL. */
  readonly url: string;
}

/**
 * One stack per test file: started before its tests, closed after them, the fake fal reset before
 * each test. The returned object is filled in by `beforeAll`, so read it inside tests only.
 */
export function useBatchSuite(): BatchSuite {
  const suite = {
    get url() {
      return suite.stack.url;
    },
  } as BatchSuite;
  beforeAll(async () => {
    suite.fal = await startFakeFal();
    suite.stack = await startStack({
      env: { FAL_QUEUE_URL: suite.fal.url, FAL_KEY: suite.fal.key },
    });
  });
  afterAll(async () => {
    await suite.stack?.close();
    await suite.fal?.close();
  });
  beforeEach(() => suite.fal.reset());
  return suite;
}

/** Programs all three steps alike (per-step overrides in `perStep`). */
export function programSteps(
  fal: FakeFal,
  base: FalBehaviour,
  perStep: Partial<Record<(typeof STEPS)[number], FalBehaviour>> = {},
): void {
  for (const step of STEPS) fal.on(step, { ...base, ...perStep[step] });
}

/** Submissions of `step` for the item with `prompt`. */
export function submissionsOf(fal: FakeFal, step: string, prompt: string): number {
  return fal
    .submissionsFor(step)
    .filter((s) => (s.payload as { prompt?: string }).prompt === prompt).length;
}

export async function createWorkflow(url: string, definition: unknown = PIPELINE): Promise<string> {
  const res = await request(url, 'POST', '/api/workflows', definition);
  expect(res.status).toBe(201);
  return res.body.workflow.id;
}

/** Creates a batch from JSON items; answers the batch. */
export async function createBatch(
  url: string,
  workflowId: string,
  body: Record<string, unknown>,
): Promise<any> {
  const res = await request(url, 'POST', `/api/workflows/${workflowId}/batches`, body);
  if (res.status !== 201)
    throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.batch;
}

export const prompts = (n: number, prefix = 'item') =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

export const FINAL = ['completed', 'failed', 'cancelled'];

/** Polls the batch until `until` holds (default: closed). */
export async function waitForBatch(
  url: string,
  id: string,
  until: (batch: any) => boolean = (b) => FINAL.includes(b.status) && b.finished_at !== null,
  timeoutMs = 40_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(url, 'GET', `/api/batches/${id}`);
    if (res.status !== 200) throw new Error(`GET batch answered ${res.status}`);
    if (until(res.body.batch)) return res.body.batch;
    if (Date.now() > deadline) {
      throw new Error(`batch ${id} still ${JSON.stringify(res.body.batch)}`);
    }
    await sleep(100);
  }
}

/** Every item of a batch, following the cursor. */
export async function allItems(url: string, id: string, status?: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '200' });
    if (status) query.set('status', status);
    if (cursor) query.set('cursor', cursor);
    const res = await request(url, 'GET', `/api/batches/${id}/executions?${query}`);
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
