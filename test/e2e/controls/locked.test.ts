/** Locked nodes reuse an earlier execution's result instead of calling the provider again. */
import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { request, waitForExecution } from '../../helpers/http';
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

function lockedChain(lockedFrom?: string) {
  const def = falChain(2, 'fake/image');
  Object.assign(def.dag.nodes.step1 as object, {
    locked: true,
    ...(lockedFrom ? { locked_from: lockedFrom } : {}),
  });
  return def;
}

async function execute(workflowId: string) {
  const ex = await request(stack.url, 'POST', `/api/workflows/${workflowId}/execute`, {});
  expect(ex.status).toBe(201);
  return waitForExecution(stack.url, ex.body.execution.id);
}

test('a locked node runs once, then later executions reuse its result without the provider', async () => {
  const wf = await request(stack.url, 'POST', '/api/workflows', lockedChain());
  expect(wf.status).toBe(201);
  expect(wf.body.diagnostics.warnings.map((w: any) => w.code)).toContain('locked_unavailable');

  const first = await execute(wf.body.workflow.id);
  expect(first.status).toBe('completed');
  expect(submissionsOf(fal, 'step1')).toBe(1);

  const second = await execute(wf.body.workflow.id);
  expect(second.status).toBe('completed');
  expect(submissionsOf(fal, 'step1')).toBe(1);
  expect(submissionsOf(fal, 'step2')).toBe(2);
  expect(second.nodes.step1.result).toEqual(first.nodes.step1.result);
  expect(second.nodes.step1.locked_from).toBe(first.id);
  expect(second.outputs.step1).toEqual(first.outputs.step1);

  const again = await request(stack.url, 'GET', `/api/workflows/${wf.body.workflow.id}`);
  expect(again.body.diagnostics.warnings.map((w: any) => w.code)).not.toContain(
    'locked_unavailable',
  );
});

test('locked_from pins the execution to reuse; an unknown one warns and the node runs', async () => {
  const source = await request(stack.url, 'POST', '/api/workflows', falChain(2, 'fake/image'));
  const pinnedFrom = await execute(source.body.workflow.id);
  const before = submissionsOf(fal, 'step1');

  const pinned = await request(stack.url, 'POST', '/api/workflows', lockedChain(pinnedFrom.id));
  expect(pinned.body.diagnostics.warnings).toEqual([]);
  const run = await execute(pinned.body.workflow.id);
  expect(run.nodes.step1.result).toEqual(pinnedFrom.nodes.step1.result);
  expect(submissionsOf(fal, 'step1')).toBe(before);

  const dangling = await request(stack.url, 'POST', '/api/workflows', lockedChain('exec_nothere'));
  expect(dangling.body.diagnostics.warnings[0]).toMatchObject({
    code: 'locked_unavailable',
    node_id: 'step1',
  });
  const ran = await execute(dangling.body.workflow.id);
  expect(ran.status).toBe('completed');
  expect(submissionsOf(fal, 'step1')).toBe(before + 1);
});
