/**
 * The one interface every model provider implements. The `runTask` activity picks a provider by
 * the task's family (see workflows/definition/tasks.ts) and hands it a {@link TaskCall}.
 */
import type { AssetStore } from '../assets/store';

/** One call of one node, with templates already resolved. */
export interface TaskCall {
  executionId: string;
  nodeId: string;
  task: string;
  modelId?: string;
  payload: Record<string, unknown>;
  /** 1-based attempt number of this activity execution. */
  attempt: number;
}

/** What a provider may use while it runs: heartbeats, cancellation, the asset store. */
export interface ProviderContext {
  /** Records progress durably; details survive a worker crash and reach the next attempt. */
  heartbeat(details?: unknown): void;
  /** Heartbeat details the previous attempt left behind (e.g. a fal request id), if any. */
  previousDetails: unknown;
  /** Aborted when the activity is cancelled (run cancelled, timed out, worker shutting down). */
  signal: AbortSignal;
  assets: AssetStore;
}

export interface TaskResult {
  /** The node's result, as downstream templates see it (`${nodes.X.result...}`). */
  result: unknown;
  /** The provider's id for the request, when it has one. */
  requestId?: string;
  /** Cost in USD when the provider reports it. */
  cost?: number;
}

export interface Provider {
  readonly name: string;
  run(call: TaskCall, ctx: ProviderContext): Promise<TaskResult>;
}

/**
 * A provider's refusal or failure. `retryable: false` (a 4xx, a bad payload) fails the node at
 * once; retryable errors (5xx, 429, network) go through the node's retry policy.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    readonly details: {
      provider: string;
      status?: number;
      retryable: boolean;
      body?: unknown;
    },
  ) {
    super(message);
  }

  /** Classifies an HTTP failure: 408, 409, 425 and 429 and every 5xx are worth retrying. */
  static fromHttp(
    provider: string,
    status: number,
    body: unknown,
    message?: string,
  ): ProviderError {
    const retryable = status >= 500 || [408, 409, 425, 429].includes(status);
    const text = message ?? describeBody(body) ?? `HTTP ${status}`;
    return new ProviderError(`${provider} answered ${status}: ${text}`, {
      provider,
      status,
      retryable,
      body,
    });
  }
}

function describeBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500) || undefined;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const detail =
      b.detail ?? b.message ?? (b.error as Record<string, unknown> | undefined)?.message ?? b.error;
    if (typeof detail === 'string') return detail;
    if (detail !== undefined) return JSON.stringify(detail).slice(0, 500);
  }
  return undefined;
}
