/**
 * fal.ai through its queue API: submit, poll the status URL, fetch the response URL. The request
 * handle is heartbeated so a retried attempt (after a worker crash) resumes the same request
 * rather than paying for a second one.
 */
import { z } from 'zod';
import { invalidPayload, networkError, readBody, sleep, throwIfAborted } from './common';
import {
  ProviderError,
  type Provider,
  type ProviderContext,
  type TaskCall,
  type TaskResult,
} from './provider';

/** Connection settings for fal's queue. */
export interface FalConfig {
  /** Queue endpoint, e.g. `https://queue.fal.run`. */
  queueUrl: string;
  key: string;
  pollIntervalMs: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** What fal answers to a submission; also what we heartbeat and resume from. */
const handleSchema = z.object({
  request_id: z.string().min(1),
  status_url: z.string().min(1),
  response_url: z.string().min(1),
  cancel_url: z.string().optional(),
});
/** The URLs of one queued request, exactly as fal returned them. */
export type FalHandle = z.infer<typeof handleSchema>;

const statusSchema = z.looseObject({
  status: z.enum(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']),
  queue_position: z.number().optional(),
  response_url: z.string().optional(),
});

/** Bounds the best-effort cancel so a dead fal cannot hold up the cancellation. */
const CANCEL_TIMEOUT_MS = 5_000;

/** Runs `fal/*` tasks on fal's queue; `call.modelId` is the fal application id. */
export class FalProvider implements Provider {
  readonly name = 'fal';
  private readonly fetch: typeof fetch;
  private readonly queueUrl: string;

  constructor(private readonly config: FalConfig) {
    this.fetch = config.fetch ?? fetch;
    this.queueUrl = config.queueUrl.replace(/\/+$/, '');
  }

  async run(call: TaskCall, ctx: ProviderContext): Promise<TaskResult> {
    if (!call.modelId) throw invalidPayload('fal', 'model_id', 'required for fal tasks');
    const handle = await this.resumeOrSubmit(call.modelId, call.payload, ctx);
    try {
      const result = await this.waitForResult(handle, ctx);
      return { result, requestId: handle.request_id };
    } catch (err) {
      if (ctx.signal.aborted) {
        await this.cancel(handle);
        throw ctx.signal.reason;
      }
      throw err;
    }
  }

  private async resumeOrSubmit(
    modelId: string,
    payload: unknown,
    ctx: ProviderContext,
  ): Promise<FalHandle> {
    const previous = handleSchema.safeParse(ctx.previousDetails);
    const handle = previous.success ? previous.data : await this.submit(modelId, payload, ctx);
    // Recorded before the first poll: from here on a crash must not lead to a second submit.
    ctx.heartbeat(handle);
    return handle;
  }

  private async submit(
    modelId: string,
    payload: unknown,
    ctx: ProviderContext,
  ): Promise<FalHandle> {
    const body = await this.request('POST', `${this.queueUrl}/${modelId}`, ctx.signal, payload);
    const handle = handleSchema.safeParse(body);
    if (!handle.success) {
      throw new ProviderError('fal answered the submission without a request handle', {
        provider: 'fal',
        retryable: true,
        body,
      });
    }
    return handle.data;
  }

  private async waitForResult(handle: FalHandle, ctx: ProviderContext): Promise<unknown> {
    for (;;) {
      const body = await this.request('GET', handle.status_url, ctx.signal);
      const status = statusSchema.safeParse(body);
      if (!status.success) {
        throw new ProviderError('fal answered an unknown queue status', {
          provider: 'fal',
          retryable: true,
          body,
        });
      }
      const { status: state, queue_position } = status.data;
      ctx.heartbeat({ ...handle, status: state, queue_position });
      if (state === 'COMPLETED') {
        return this.request('GET', status.data.response_url ?? handle.response_url, ctx.signal);
      }
      await sleep(this.config.pollIntervalMs, ctx.signal);
    }
  }

  /** Best effort: the run is being cancelled either way, so failures here are swallowed. */
  private async cancel(handle: FalHandle): Promise<void> {
    if (!handle.cancel_url) return;
    await this.fetch(handle.cancel_url, {
      method: 'PUT',
      headers: this.headers(),
      signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS),
    })
      .then((res) => res.body?.cancel())
      .catch(() => undefined);
  }

  private headers(json = false): Record<string, string> {
    const headers: Record<string, string> = { Authorization: `Key ${this.config.key}` };
    if (json) headers['Content-Type'] = 'application/json';
    return headers;
  }

  private async request(
    method: 'GET' | 'POST',
    url: string,
    signal: AbortSignal,
    payload?: unknown,
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: this.headers(payload !== undefined),
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal,
      });
    } catch (err) {
      throwIfAborted(signal);
      throw networkError('fal', err);
    }
    const body = await readBody(res);
    if (!res.ok) throw ProviderError.fromHttp('fal', res.status, body);
    return body;
  }
}
