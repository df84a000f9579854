/**
 * Map nodes end to end on real Temporal and PostgreSQL against the fake fal queue: casola's
 * map + pick example verbatim, tolerance with failing elements, `${item.x}` and `$each` inside
 * the inner node, max_concurrency, and a map large enough to run through chunk workflows.
 */
import { Client, Connection } from '@temporalio/client';
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { request, waitForExecution } from '../helpers/http';
import { replayFailures } from '../helpers/replay';
import { startStack, type TestStack } from '../helpers/stack';

const FLUX = 'black-forest-labs/FLUX.1-schnell';

let fal: FakeFal;
let stack: TestStack;
let connection: Connection;
let temporal: Client;

beforeAll(async () => {
  fal = await startFakeFal();
  stack = await startStack({ env: { FAL_QUEUE_URL: fal.url, FAL_KEY: fal.key } });
  connection = await Connection.connect({ address: stack.endpoints.temporalAddress });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await stack?.close();
  await fal?.close();
});
beforeEach(() => fal.reset());

async function run(dag: unknown, inputParams: Record<string, unknown>, timeoutMs = 30_000) {
  const created = await request(stack.url, 'POST', '/api/workflows', { name: 'map', dag });
  expect(created.status).toBe(201);
  const started = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    { input_params: inputParams },
  );
  expect(started.status).toBe(201);
  return waitForExecution(stack.url, started.body.execution.id, undefined, timeoutMs);
}

/** One map node over `${input.items}` running `inner` on fal's FLUX model. */
function mapDag(inner: Record<string, unknown>, knobs: Record<string, unknown> = {}) {
  return {
    nodes: {
      generate: {
        type: 'map',
        items: '${input.items}',
        node: { task: 'fal/text-to-image', model_id: FLUX, ...inner },
        ...knobs,
      },
    },
  };
}

const promptOf = (payload: unknown) => (payload as { prompt: string }).prompt;
/** Refuses (422, not retried) every prompt containing "bad". */
const refuseBad = (payload: unknown) =>
  promptOf(payload).includes('bad')
    ? { status: 422, body: { detail: 'unsafe prompt' } }
    : undefined;

test("casola's map + pick example runs verbatim", async () => {
  const dag = JSON.parse(
    '{"nodes":{"generate":{"type":"map","items":"${input.prompts}","node":{"model_id":"black-forest-labs/FLUX.1-schnell","task":"fal/text-to-image","payload":{"prompt":"${item}"}},"tolerance":0},"select":{"type":"task","model_id":"casola/pick","task":"casola/pick","payload":{"source":"${nodes.generate.result.items}","indices":[0,2]}}},"edges":[{"from":"generate","to":"select"}]}',
  );
  const prompts = ['a cat in space', 'a dog on the moon', 'a bird underwater'];
  const done = await run(dag, { prompts });
  expect(done.status).toBe('completed');
  const items = done.outputs.generate.items;
  expect(items.map((i: { input: { prompt: string } }) => i.input.prompt)).toEqual(prompts);
  expect(items[0].images[0].url).toMatch(/\.png$/);
  expect(done.outputs.select).toEqual({ items: [items[0], items[2]] });
  expect(
    fal
      .submissionsFor(FLUX)
      .map((s) => promptOf(s.payload))
      .sort(),
  ).toEqual([...prompts].sort());
});

describe('tolerance', () => {
  const items = ['ok 0', 'bad 1', 'ok 2', 'bad 3'];

  test('0.5: half failing still completes, with nulls in input order', async () => {
    fal.on(FLUX, { failFor: refuseBad });
    const done = await run(mapDag({ payload: { prompt: '${item}' } }, { tolerance: 0.5 }), {
      items,
    });
    expect(done.status).toBe('completed');
    const result = done.outputs.generate.items;
    expect(
      result.map((r: { input?: { prompt: string } } | null) => r?.input?.prompt ?? null),
    ).toEqual(['ok 0', null, 'ok 2', null]);
  });

  test('1: every element failing still completes', async () => {
    fal.on(FLUX, { failure: { status: 422, body: { detail: 'no' } } });
    const done = await run(mapDag({ payload: { prompt: '${item}' } }, { tolerance: 1 }), { items });
    expect(done.status).toBe('completed');
    expect(done.outputs.generate).toEqual({ items: [null, null, null, null] });
  });

  test('0.25: two failures of four fail the node, naming counts and the first error', async () => {
    fal.on(FLUX, { failFor: refuseBad });
    const dag = mapDag({ payload: { prompt: '${item}' } }, { tolerance: 0.25, max_concurrency: 1 });
    const done = await run(dag, { items });
    expect(done.status).toBe('failed');
    expect(done.nodes.generate.status).toBe('failed');
    expect(done.nodes.generate.error).toMatchObject({
      code: 'map_tolerance_exceeded',
      message: expect.stringMatching(
        /^2 of 4 elements failed; tolerance 0.25 allows 1: first failure, items\[1\]: .*422/,
      ),
    });
    expect(done.error).toMatchObject({ code: 'map_tolerance_exceeded', node_id: 'generate' });
  });

  test('0 (default): the first failure stops the map before the rest is submitted', async () => {
    fal.on(FLUX, { failFor: refuseBad });
    const done = await run(mapDag({ payload: { prompt: '${item}' } }, { max_concurrency: 1 }), {
      items,
    });
    expect(done.status).toBe('failed');
    expect(done.nodes.generate.error.message).toMatch(
      /^1 of 4 elements failed; tolerance 0 allows 0, 2 not run: first failure, items\[1\]/,
    );
    expect(fal.submissionsFor(FLUX)).toHaveLength(2);
  });
});

test('${item.x} reads object elements and $each still expands inside the inner node', async () => {
  const items = [
    { text: 'a fox', loras: ['ink', 'paper'] },
    { text: 'a heron', loras: [] },
  ];
  const inner = {
    payload: {
      prompt: '${item.text}',
      loras: { $each: '${item.loras}', template: { path: '${item}', scale: 1 } },
    },
  };
  const done = await run(mapDag(inner), { items });
  expect(done.status).toBe('completed');
  expect(done.outputs.generate.items.map((r: { input: unknown }) => r.input)).toEqual([
    {
      prompt: 'a fox',
      loras: [
        { path: 'ink', scale: 1 },
        { path: 'paper', scale: 1 },
      ],
    },
    { prompt: 'a heron', loras: [] },
  ]);
});

test('max_concurrency bounds the requests in flight at fal', async () => {
  fal.on(FLUX, { processingMs: 150 });
  const items = Array.from({ length: 9 }, (_, i) => `p${i}`);
  const dag = mapDag({ payload: { prompt: '${item}' } }, { max_concurrency: 3 });
  const done = await run(dag, { items });
  expect(done.status).toBe('completed');
  expect(fal.submissionsFor(FLUX)).toHaveLength(9);
  expect(fal.peakInProgress).toBeLessThanOrEqual(3);
  expect(fal.peakInProgress).toBeGreaterThanOrEqual(2);
});

test('items that are not an array fail the node; an empty array completes it', async () => {
  const dag = mapDag({ payload: { prompt: '${item}' } });
  const failed = await run(dag, { items: 'not a list' });
  expect(failed.nodes.generate.error.code).toBe('map_items_not_array');
  const empty = await run(dag, { items: [] });
  expect(empty.status).toBe('completed');
  expect(empty.outputs.generate).toEqual({ items: [] });
});

test('300 elements run through chunk workflows and keep every history small', async () => {
  const items = Array.from({ length: 300 }, (_, i) => `prompt ${i}`);
  fal.on(FLUX, { failFor: (p) => (promptOf(p) === 'prompt 250' ? { status: 422 } : undefined) });
  const dag = mapDag({ payload: { prompt: '${item}' } }, { tolerance: 0.01 });
  const done = await run(dag, { items }, 50_000);
  expect(done.status).toBe('completed');
  const result = done.outputs.generate.items as Array<{ input: { prompt: string } } | null>;
  expect(result).toHaveLength(300);
  expect(result[250]).toBeNull();
  expect(result.filter((r) => r === null)).toHaveLength(1);
  expect(result[299]?.input.prompt).toBe('prompt 299');
  expect(fal.peakInProgress).toBeLessThanOrEqual(32);

  const parent = temporal.workflow.getHandle(done.id);
  const { runId } = await parent.describe();
  const parentEvents = (await parent.fetchHistory()).events ?? [];
  // 300 activities would be ≥ 900 events here; two chunks are a few dozen.
  expect(parentEvents.length).toBeLessThan(150);
  const chunkIds = [0, 1].map((i) => `${done.id}/generate/map-${runId.slice(0, 8)}/${i}`);
  for (const id of chunkIds) {
    const chunk = temporal.workflow.getHandle(id);
    const info = await chunk.describe();
    expect(info.type).toBe('runMapChunk');
    expect(info.status.name).toBe('COMPLETED');
    expect(info.parentExecution?.workflowId).toBe(done.id);
    expect(info.historyLength).toBeLessThan(1_300);
  }
  await expect(
    temporal.workflow.getHandle(`${chunkIds[1]!.slice(0, -1)}2`).describe(),
  ).rejects.toThrow();
  expect(await replayFailures(stack.endpoints.temporalAddress, [done.id, ...chunkIds])).toEqual([]);
});

test('a failure past the tolerance stops a chunked map early, cancelling the other chunks', async () => {
  const items = Array.from({ length: 300 }, (_, i) => `prompt ${i}`);
  fal.on(FLUX, { failFor: (p) => (promptOf(p) === 'prompt 5' ? { status: 422 } : undefined) });
  const done = await run(mapDag({ payload: { prompt: '${item}' } }), { items }, 50_000);
  expect(done.status).toBe('failed');
  expect(done.nodes.generate.error.code).toBe('map_tolerance_exceeded');
  expect(done.nodes.generate.error.message).toMatch(/^1 of 300 elements failed.*items\[5\]/);
  expect(fal.submissionsFor(FLUX).length).toBeLessThan(300);
});

test('cancelling the run cancels the chunk workflows and the requests in flight', async () => {
  fal.on(FLUX, { processingMs: 60_000 });
  const items = Array.from({ length: 150 }, (_, i) => `prompt ${i}`);
  const dag = mapDag({ payload: { prompt: '${item}' } }, { max_concurrency: 4 });
  const created = await request(stack.url, 'POST', '/api/workflows', { name: 'map', dag });
  const started = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    { input_params: { items } },
  );
  const id = started.body.execution.id as string;
  const deadline = Date.now() + 20_000;
  while (fal.inProgress < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(fal.inProgress).toBe(4);
  const cancelled = await request(stack.url, 'POST', `/api/workflow-executions/${id}/cancel`);
  expect(cancelled.status).toBeLessThan(300);
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('cancelled');
  expect(done.nodes.generate.status).toBe('cancelled');
  expect(fal.cancels).toHaveLength(4);
  expect(fal.submissionsFor(FLUX)).toHaveLength(4);
  const { runId } = await temporal.workflow.getHandle(id).describe();
  const chunk = await temporal.workflow
    .getHandle(`${id}/generate/map-${runId.slice(0, 8)}/0`)
    .describe();
  expect(chunk.status.name).toBe('CANCELLED');
});

test('results too large for a Temporal payload fail the node with a clear code', async () => {
  fal.on(FLUX, { result: () => ({ blob: 'x'.repeat(20_000) }) });
  const dag = mapDag({ payload: { prompt: '${item}' } });
  const direct = await run(dag, { items: Array.from({ length: 90 }, (_, i) => `p${i}`) });
  expect(direct.nodes.generate.error).toMatchObject({ code: 'map_result_too_large' });
  const chunked = await run(dag, { items: Array.from({ length: 120 }, (_, i) => `p${i}`) });
  expect(chunked.nodes.generate.error).toMatchObject({
    code: 'map_chunk_too_large',
    message: expect.stringContaining('items[0..119]'),
  });
});

test('a failed chunked map can be retried with new inner inputs', async () => {
  fal.on(FLUX, { failFor: (p) => (promptOf(p) === 'prompt 7' ? { status: 422 } : undefined) });
  const items = Array.from({ length: 150 }, (_, i) => `prompt ${i}`);
  const failed = await run(mapDag({ payload: { prompt: '${item}' } }), { items });
  expect(failed.status).toBe('failed');
  const retried = await request(stack.url, 'POST', `/api/workflow-executions/${failed.id}/retry`, {
    node_id: 'generate',
    inputs: { prompt: '${item} (again)' },
  });
  expect(retried.status).toBe(202);
  const done = await waitForExecution(stack.url, failed.id);
  expect(done.status).toBe('completed');
  expect(done.outputs.generate.items[7].input.prompt).toBe('prompt 7 (again)');
  expect(done.outputs.generate.items).toHaveLength(150);
  expect(await replayFailures(stack.endpoints.temporalAddress, [failed.id])).toEqual([]);
});
