/** User-approval nodes: approve (with an edited value), reject (fail / skip), timeouts, 409s. */
import { request, waitForExecution } from '../../helpers/http';
import { replayFailures } from '../../helpers/replay';
import { startStack, type TestStack } from '../../helpers/stack';

let stack: TestStack;
const ran: string[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** produce → gate → consume, all offline built-ins. */
function gated(gate: Record<string, unknown>) {
  return {
    name: 'gated',
    dag: {
      nodes: {
        produce: { task: 'pick', payload: { source: ['a', 'b', 'c'], indices: [0, 1] } },
        gate: { type: 'user-approval', message: 'Keep these?', ...gate },
        consume: { task: 'pick', payload: { source: '${nodes.gate.result.items}', indices: [0] } },
      },
      edges: [
        { from: 'produce', to: 'gate' },
        { from: 'gate', to: 'consume' },
      ],
    },
  };
}

async function startGated(gate: Record<string, unknown> = {}) {
  const wf = await request(stack.url, 'POST', '/api/workflows', gated(gate));
  expect(wf.status).toBe(201);
  const ex = await request(stack.url, 'POST', `/api/workflows/${wf.body.workflow.id}/execute`, {});
  expect(ex.status).toBe(201);
  ran.push(ex.body.execution.id);
  return ex.body.execution.id as string;
}

const awaiting = (e: any) => e.status === 'awaiting_approval';

test('the run waits with the upstream results shown; an edited value flows downstream', async () => {
  const id = await startGated();
  const waiting = await waitForExecution(stack.url, id, awaiting);
  expect(waiting.nodes.gate.status).toBe('awaiting_approval');
  expect(waiting.nodes.gate.approval).toMatchObject({
    message: 'Keep these?',
    upstream: { produce: { items: ['a', 'b'] } },
    decision: null,
  });
  expect(waiting.nodes.consume.status).toBe('pending');

  const approved = await fetch(`${stack.url}/api/workflow-executions/${id}/nodes/gate/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-skein-actor': 'ada' },
    body: JSON.stringify({ comment: 'swap them', value: { items: ['edited'] } }),
  });
  expect(approved.status).toBe(200);
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('completed');
  expect(done.outputs.consume).toEqual({ items: ['edited'] });
  expect(done.nodes.gate.approval.decision).toMatchObject({
    approved: true,
    by: 'ada',
    comment: 'swap them',
    edited: true,
    timed_out: false,
  });
  expect(Date.parse(done.nodes.gate.approval.decision.at)).toBeGreaterThan(0);
  expect(done.status_history.map((s: any) => s.status)).toEqual([
    'pending',
    'running',
    'awaiting_approval',
    'running',
    'completed',
  ]);

  const second = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/gate/reject`,
    {},
  );
  expect(second.status).toBe(409);
  expect(second.body.error.current_status).toBe('completed');
});

test('approving without a value passes the upstream result through', async () => {
  const id = await startGated();
  await waitForExecution(stack.url, id, awaiting);
  const res = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/gate/approve`,
    {},
  );
  expect(res.status).toBe(200);
  const done = await waitForExecution(stack.url, id);
  expect(done.outputs.consume).toEqual({ items: ['a'] });
});

test('a rejection fails the node and nothing downstream runs; a second decision is a 409', async () => {
  const id = await startGated();
  await waitForExecution(stack.url, id, awaiting);
  const rejected = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/gate/reject`,
    {
      comment: 'wrong colours',
    },
  );
  expect(rejected.status).toBe(200);
  const again = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/gate/approve`,
    {},
  );
  expect(again.status).toBe(409);
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('failed');
  expect(done.nodes.gate).toMatchObject({ status: 'failed', error: { code: 'rejected' } });
  expect(done.nodes.gate.error.message).toContain('wrong colours');
  expect(done.nodes.consume.status).toBe('skipped');
  expect(done.error).toMatchObject({ code: 'rejected', node_id: 'gate' });
});

test('on_reject "skip" skips the node and what depends only on it; the run completes', async () => {
  const id = await startGated({ on_reject: 'skip' });
  await waitForExecution(stack.url, id, awaiting);
  const res = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/gate/reject`,
    {},
  );
  expect(res.status).toBe(200);
  const done = await waitForExecution(stack.url, id);
  expect(done.status).toBe('completed');
  expect(done.nodes.gate.status).toBe('skipped');
  expect(done.nodes.consume.status).toBe('skipped');
  expect(done.outputs).toEqual({ produce: { items: ['a', 'b'] } });
});

test('a timeout decides as on_timeout says', async () => {
  const approveId = await startGated({ timeout_s: 1, on_timeout: 'approve' });
  const failId = await startGated({ timeout_s: 1, on_timeout: 'fail' });
  // "reject" is the default, and a timed-out rejection follows on_reject like an operator's.
  const rejectId = await startGated({ timeout_s: 1 });
  const skipId = await startGated({ timeout_s: 1, on_timeout: 'reject', on_reject: 'skip' });
  const approved = await waitForExecution(stack.url, approveId);
  expect(approved.status).toBe('completed');
  expect(approved.nodes.gate.approval.decision).toMatchObject({
    approved: true,
    by: 'timeout',
    timed_out: true,
  });
  const failed = await waitForExecution(stack.url, failId);
  expect(failed.status).toBe('failed');
  expect(failed.nodes.gate.error.code).toBe('approval_timeout');
  const rejected = await waitForExecution(stack.url, rejectId);
  expect(rejected.status).toBe('failed');
  expect(rejected.nodes.gate.error).toMatchObject({
    code: 'rejected',
    message: 'rejected by timeout',
  });
  expect(rejected.nodes.gate.approval.decision).toMatchObject({ approved: false, timed_out: true });
  expect(rejected.nodes.consume.status).toBe('skipped');
  const skipped = await waitForExecution(stack.url, skipId);
  expect(skipped.status).toBe('completed');
  expect(skipped.nodes.gate.status).toBe('skipped');
  expect(skipped.nodes.consume.status).toBe('skipped');
});

test('deciding a node that is not waiting, or an unknown node, is refused', async () => {
  const id = await startGated();
  await waitForExecution(stack.url, id, awaiting);
  const notGate = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/produce/approve`,
    {},
  );
  expect(notGate.status).toBe(409);
  expect(notGate.body.error.current_status).toBe('completed');
  const unknown = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/nope/approve`,
    {},
  );
  expect(unknown.status).toBe(404);
  const badBody = await request(
    stack.url,
    'POST',
    `/api/workflow-executions/${id}/nodes/gate/approve`,
    {
      comment: 42,
    },
  );
  expect(badBody.status).toBe(400);
  expect(badBody.body.error.fields[0].path).toBe('comment');
  await request(stack.url, 'POST', `/api/workflow-executions/${id}/nodes/gate/approve`, {});
  await waitForExecution(stack.url, id);
});

test('the recorded histories replay deterministically', async () => {
  expect(ran.length).toBeGreaterThan(5);
  expect(await replayFailures(stack.endpoints.temporalAddress, ran)).toEqual([]);
});
