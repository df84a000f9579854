/** Hand-built ProviderContexts and TaskCalls for provider tests. */
import type { AssetStore } from '../../activities/assets/store';
import type { ProviderContext, TaskCall } from '../../activities/providers/provider';
import { MemoryAssetStore } from '../fakes/memory-assets';

/** A context plus the handles a test needs to observe and steer it. */
export interface TestContext<A extends AssetStore = MemoryAssetStore> {
  ctx: ProviderContext;
  /** Every heartbeat's details, in order. */
  heartbeats: unknown[];
  controller: AbortController;
  assets: A;
}

/** Defaults: a fresh MemoryAssetStore, no previous details. */
export interface TestContextOptions<A extends AssetStore> {
  assets?: A;
  previousDetails?: unknown;
  /** Runs after each heartbeat is recorded (to abort or "crash" at a chosen moment). */
  onHeartbeat?: (details: unknown, count: number) => void;
}

/** A ProviderContext recording heartbeats, with its own AbortController. */
export function makeContext<A extends AssetStore = MemoryAssetStore>(
  options: TestContextOptions<A> = {},
): TestContext<A> {
  const heartbeats: unknown[] = [];
  const controller = new AbortController();
  const assets = options.assets ?? (new MemoryAssetStore() as AssetStore as A);
  const ctx: ProviderContext = {
    heartbeat(details) {
      heartbeats.push(details);
      options.onHeartbeat?.(details, heartbeats.length);
    },
    previousDetails: options.previousDetails,
    signal: controller.signal,
    assets,
  };
  return { ctx, heartbeats, controller, assets };
}

let calls = 0;

/** A first-attempt TaskCall of execution `exec_test`, with a distinct node id per call. */
export function makeCall(
  task: string,
  payload: Record<string, unknown>,
  modelId?: string,
): TaskCall {
  calls++;
  return { executionId: 'exec_test', nodeId: `node_${calls}`, task, modelId, payload, attempt: 1 };
}
