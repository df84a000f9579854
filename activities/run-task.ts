/**
 * The `runTask` activity: one attempt of one task node. It picks the provider, keeps the attempt
 * alive with heartbeats (so a crashed worker's attempt is retried elsewhere within the heartbeat
 * timeout, with the provider's request id in hand), and turns failures into Temporal failures
 * the workflow can read: non-retryable for a provider's 4xx, retryable otherwise.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import type { AssetStore } from './assets/store';
import { recordAttemptStarted, recordProviderRequest } from './persistence/steps';
import { ProviderError, type Provider } from './providers/provider';

export interface RunTaskInput {
  executionId: string;
  nodeId: string;
  task: string;
  modelId?: string;
  payload: Record<string, unknown>;
  /**
   * Set for a map node's elements: the element's index in `items`. The map node has one step
   * row; thousands of elements bumping its attempts would queue on that row's lock, and the
   * map reports its own counts instead.
   */
  element?: number;
}

export interface RunTaskOutput {
  result: unknown;
  /** The attempt that succeeded (1 = first try). */
  attempt: number;
  requestId?: string;
  cost?: number;
}

export interface TaskActivityDeps {
  db: Database;
  assets: AssetStore;
  providerFor(task: string): Provider;
  logger: Logger;
}

export function createTaskActivities(deps: TaskActivityDeps) {
  return {
    async runTask(input: RunTaskInput): Promise<RunTaskOutput> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const ownsStep = input.element === undefined;
      if (ownsStep) await recordAttemptStarted(deps.db, input.executionId, input.nodeId, attempt);
      const beat = keepAlive(ctx);
      try {
        const provider = deps.providerFor(input.task);
        const out = await provider.run(
          { ...input, attempt },
          {
            heartbeat: beat.heartbeat,
            previousDetails: ctx.info.heartbeatDetails,
            signal: ctx.cancellationSignal,
            assets: deps.assets,
          },
        );
        if (out.requestId && ownsStep)
          await recordProviderRequest(deps.db, input.executionId, input.nodeId, out.requestId);
        return { ...out, attempt };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) {
          // Operators read this to know a cancelled or timed-out run left nothing billing.
          deps.logger.info(
            { execution_id: input.executionId, node_id: input.nodeId, attempt },
            'task attempt cancelled',
          );
          throw err;
        }
        throw toApplicationFailure(err, attempt, deps.logger);
      } finally {
        beat.stop();
      }
    },
  };
}

/**
 * Heartbeats on a timer as well as when the provider reports progress, repeating the last
 * details so they survive: a long OpenAI call has no progress to report but must not look dead.
 */
function keepAlive(ctx: Context) {
  let details: unknown = ctx.info.heartbeatDetails;
  const timeoutMs = ctx.info.heartbeatTimeoutMs ?? 30_000;
  const timer = setInterval(() => ctx.heartbeat(details), Math.max(200, timeoutMs / 3));
  return {
    heartbeat(next?: unknown) {
      if (next !== undefined) details = next;
      ctx.heartbeat(details);
    },
    stop: () => clearInterval(timer),
  };
}

function toApplicationFailure(err: unknown, attempt: number, logger: Logger): ApplicationFailure {
  if (err instanceof ProviderError) {
    const { provider, status, retryable, body } = err.details;
    return ApplicationFailure.create({
      type: 'ProviderError',
      message: err.message,
      nonRetryable: !retryable,
      details: [{ provider, status, body, attempt }],
    });
  }
  logger.error({ err }, 'task failed with an unexpected error');
  return ApplicationFailure.create({
    type: 'TaskError',
    message: err instanceof Error ? err.message : String(err),
    details: [{ attempt }],
  });
}
