/** Task nodes: resolve templates, then call the model through the `runTask` activity. */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { createTaskActivities } from '../../activities/run-task';
import type { RetryPolicy, Settings, TaskNode } from '../definition/schema';
import { resolveTemplates, TemplateError } from '../definition/template';
import type { RunError } from '../run/state';
import { NodeFailure, type NodeKindRunner, type NodeRunContext, type RunOptions } from './kind';

/** Used when neither the node nor the settings say otherwise. */
export const DEFAULT_RETRY: Required<RetryPolicy> = {
  max_attempts: 3,
  initial_interval_s: 1,
  backoff_coefficient: 2,
  max_interval_s: 60,
};
const DEFAULT_ATTEMPT_TIMEOUT_S = 3600;

export const taskRunner: NodeKindRunner<TaskNode> = {
  async run(node, ctx) {
    const payload = resolvePayload(node, ctx);
    const { runTask, maxAttempts } = taskActivity(node, ctx.settings, ctx.options);
    try {
      const out = await runTask({
        executionId: ctx.executionId,
        nodeId: ctx.nodeId,
        task: node.task ?? '',
        modelId: node.model_id,
        payload,
      });
      return {
        result: out.result,
        attempts: out.attempt,
        request_id: out.requestId ?? null,
        cost: out.cost ?? null,
      };
    } catch (err) {
      throw toNodeFailure(err, maxAttempts);
    }
  },
};

/**
 * The `runTask` activity with the node's attempt timeout and retry policy (node, then settings,
 * then {@link DEFAULT_RETRY}). Shared with map nodes, whose elements are task attempts too.
 */
export function taskActivity(
  node: Pick<TaskNode, 'retry' | 'timeout_s'>,
  settings: Settings,
  options: RunOptions,
) {
  const retry = { ...DEFAULT_RETRY, ...settings.retry, ...node.retry };
  const { runTask } = proxyActivities<ReturnType<typeof createTaskActivities>>({
    startToCloseTimeout: `${node.timeout_s ?? DEFAULT_ATTEMPT_TIMEOUT_S} seconds`,
    heartbeatTimeout: `${options.heartbeatTimeoutS} seconds`,
    // On cancel, wait for the activity to cancel the provider request (fal's cancel_url), so
    // the run is only reported cancelled once nothing is billed any more.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: retry.max_attempts,
      initialInterval: `${retry.initial_interval_s} seconds`,
      backoffCoefficient: retry.backoff_coefficient,
      maximumInterval: `${retry.max_interval_s} seconds`,
    },
  });
  return { runTask, maxAttempts: retry.max_attempts };
}

function resolvePayload(node: TaskNode, ctx: NodeRunContext): Record<string, unknown> {
  try {
    const fields = { ...node.payload, ...node.inputs, ...ctx.overrides };
    return resolveTemplates(fields, ctx.scope) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new NodeFailure({ code: 'template_error', message: err.message }, 0);
    }
    throw err;
  }
}

/** Details `runTask` attaches to every failure it raises. */
interface TaskFailureDetails {
  status?: number;
  provider?: string;
  body?: unknown;
  attempt?: number;
}

/** Maps what `runTask` threw to the node's failure (code, message, provider details). */
export function toNodeFailure(err: unknown, maxAttempts: number): NodeFailure {
  if (!(err instanceof ActivityFailure)) {
    return new NodeFailure({ code: 'internal_error', message: String(err) }, 0);
  }
  const cause = err.cause;
  if (cause instanceof CancelledFailure) {
    return new NodeFailure({ code: 'cancelled', message: 'step cancelled' }, 0);
  }
  if (cause instanceof ApplicationFailure) {
    const d = (cause.details?.[0] ?? {}) as TaskFailureDetails;
    const error: RunError = { code: cause.type ?? 'provider_error', message: cause.message };
    if (d.status !== undefined) error.status = d.status;
    if (d.provider !== undefined) error.provider = d.provider;
    if (d.body !== undefined) error.body = d.body;
    return new NodeFailure(error, d.attempt ?? maxAttempts);
  }
  if (cause instanceof TimeoutFailure) {
    return new NodeFailure(
      { code: 'timeout', message: `step timed out (${cause.timeoutType})` },
      maxAttempts,
    );
  }
  return new NodeFailure(
    { code: 'activity_error', message: cause?.message ?? err.message },
    maxAttempts,
  );
}
