/**
 * `runExecution`: one Temporal workflow per execution, driving the {@link Interpreter}. Ends
 * Completed, Failed (`RunFailed`, `RunTimedOut`) or Cancelled in Temporal as the run does, so
 * Temporal's own UI tells the same story as the API.
 */
import { ApplicationFailure, CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { Interpreter, type RunExecutionInput } from './interpreter';
import type { RunSnapshot } from './state';

export type { RunExecutionInput } from './interpreter';

/** What the workflow returns: the outcome only; results live in PostgreSQL and the `state` query. */
export type RunOutcome = Pick<RunSnapshot, 'status' | 'progress' | 'outputs'>;

export async function runExecution(input: RunExecutionInput): Promise<RunOutcome> {
  const interpreter = new Interpreter(input);
  interpreter.registerHandlers();
  const runScope = new CancellationScope();
  const timer = startRunTimer(input.definition.settings?.timeout_s, runScope);
  try {
    await runScope.run(() => interpreter.loop());
  } catch (err) {
    if (!isCancellation(err)) throw err;
    const stop = timer.fired ? 'timed_out' : 'cancelled';
    await CancellationScope.nonCancellable(() => interpreter.finish(stop));
    if (stop === 'cancelled') throw err;
    throw ApplicationFailure.create({
      type: 'RunTimedOut',
      message: 'the run timed out',
      nonRetryable: true,
    });
  } finally {
    timer.scope.cancel();
  }
  await interpreter.finish();
  const snapshot = interpreter.run.snapshot();
  if (snapshot.status === 'failed') {
    throw ApplicationFailure.create({
      type: 'RunFailed',
      message: snapshot.error?.message ?? 'the run failed',
      nonRetryable: true,
      details: [snapshot.error],
    });
  }
  // Outputs once, not twice (they are also in the node states): a large map result stays under
  // Temporal's payload limit.
  return { status: snapshot.status, progress: snapshot.progress, outputs: snapshot.outputs };
}

/** Cancels `runScope` when the run's `timeout_s` passes. */
function startRunTimer(timeoutS: number | undefined, runScope: CancellationScope) {
  const timer = { fired: false, scope: new CancellationScope() };
  if (timeoutS !== undefined) {
    timer.scope
      .run(() => sleep(`${timeoutS} seconds`))
      .then(() => {
        timer.fired = true;
        runScope.cancel();
      })
      .catch(() => undefined);
  }
  return timer;
}
