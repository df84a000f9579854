/** Scheduling rules of the interpreter, without Temporal. */
import { dagSchema } from '../../../workflows/definition/schema';
import { RunState, UPSTREAM_FAILED } from '../../../workflows/run/run-state';

const at = '2026-01-01T00:00:00.000Z';
const task = { task: 'pick' };

/** a → b → d, a → c → d, plus an unrelated e. */
const diamond = dagSchema.parse({
  nodes: { a: task, b: task, c: task, d: task, e: task },
  edges: [
    { from: 'a', to: 'b' },
    { from: 'a', to: 'c' },
    { from: 'b', to: 'd' },
    { from: 'c', to: 'd' },
  ],
});

test('roots start together; a node waits for all of its parents', () => {
  const run = new RunState(diamond);
  expect(run.readyNodes()).toEqual(['a', 'e']);
  run.markRunning('a', at);
  run.markCompleted('a', at, { result: 1, attempts: 1 });
  expect(run.readyNodes()).toEqual(['b', 'c', 'e']);
  run.markCompleted('b', at, { result: 2, attempts: 1 });
  expect(run.readyNodes()).not.toContain('d');
  run.markCompleted('c', at, { result: 3, attempts: 1 });
  expect(run.readyNodes()).toContain('d');
});

test('a failure skips every descendant, also through a parent that completed', () => {
  const run = new RunState(diamond);
  run.markCompleted('a', at, { result: 1, attempts: 1 });
  run.markCompleted('c', at, { result: 3, attempts: 1 });
  const changed = run.markFailed('b', at, { code: 'provider_error', message: 'boom' }, 2);
  expect(changed).toEqual(['b', 'd']);
  expect(run.node('d')).toMatchObject({ status: 'skipped', error: { code: UPSTREAM_FAILED } });
  expect(run.readyNodes()).toEqual(['e']);
  run.markCompleted('e', at, { result: 5, attempts: 1 });
  expect(run.isSettled()).toBe(true);
  expect(run.outcome()).toBe('failed');
  expect(run.error()).toMatchObject({ code: 'provider_error', node_id: 'b' });
});

test('a decision skip only skips nodes whose parents were all skipped', () => {
  const run = new RunState(diamond);
  run.markCompleted('a', at, { result: 1, attempts: 1 });
  expect(run.markSkipped('b', at)).toEqual(['b']);
  expect(run.node('d').status).toBe('pending');
  run.markCompleted('c', at, { result: 3, attempts: 1 });
  expect(run.readyNodes()).toContain('d');
  expect(run.markSkipped('e', at)).toEqual(['e']);
});

test('retry resets the failed node and what its failure skipped, keeping attempts', () => {
  const run = new RunState(diamond);
  run.markCompleted('a', at, { result: 1, attempts: 1 });
  run.markCompleted('c', at, { result: 3, attempts: 1 });
  run.markFailed('b', at, { code: 'x', message: 'x' }, 2);
  expect(run.resetForRetry(['b'], at).sort()).toEqual(['b', 'd']);
  expect(run.node('b')).toMatchObject({ status: 'pending', attempts: 2, error: null });
  expect(run.readyNodes()).toEqual(['b', 'e']);
});

test('a seeded run keeps completed nodes and re-runs only the failed ones asked for', () => {
  const first = new RunState(diamond);
  first.markCompleted('a', at, { result: 'A', attempts: 1 });
  first.markFailed('b', at, { code: 'x', message: 'x' }, 1);
  first.markFailed('c', at, { code: 'y', message: 'y' }, 1);
  first.markCompleted('e', at, { result: 'E', attempts: 1 });
  const history = [{ status: 'failed' as const, at }];

  const all = new RunState(diamond, { seed: first.nodes }, history);
  expect(all.status).toBe('pending');
  expect(all.readyNodes()).toEqual(['b', 'c']);
  expect(all.node('a').result).toBe('A');

  const onlyB = new RunState(diamond, { seed: first.nodes, retry: ['b'] }, history);
  expect(onlyB.readyNodes()).toEqual(['b']);
  expect(onlyB.node('c').status).toBe('failed');
  expect(onlyB.node('d')).toMatchObject({ status: 'skipped', error: { code: UPSTREAM_FAILED } });
});

test('open status reflects pause and waiting approvals', () => {
  const run = new RunState(diamond);
  expect(run.openStatus(true)).toBe('paused');
  run.update('a', { status: 'awaiting_approval' });
  expect(run.openStatus(false)).toBe('awaiting_approval');
  expect(run.activeNodes()).toEqual(['a']);
});
