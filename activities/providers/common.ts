/** Helpers every provider shares: payload validation, HTTP bodies, abortable waits, inputs. */
import type { z } from 'zod';
import { ProviderError, type ProviderContext } from './provider';

/** A refused payload: never worth retrying, reported as 422 naming the field. */
export function invalidPayload(provider: string, field: string, message: string): ProviderError {
  return new ProviderError(`invalid payload: ${field}: ${message}`, {
    provider,
    status: 422,
    retryable: false,
    body: { field, message },
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  }
  return out || 'payload';
}

/** Validates a payload with zod; the first issue becomes a 422 naming its field. */
export function parsePayload<S extends z.ZodType>(
  provider: string,
  schema: S,
  payload: unknown,
): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidPayload(provider, formatPath(issue?.path ?? []), issue?.message ?? 'invalid');
}

/** A failure to reach the provider at all (DNS, refused, reset): worth retrying. */
export function networkError(provider: string, err: unknown): ProviderError {
  const reason =
    err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new ProviderError(`${provider} unreachable: ${reason}`, { provider, retryable: true });
}

/** A response body as JSON when it parses, else as text (error bodies are not always JSON). */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Rethrows the cancellation reason when the activity was cancelled; a no-op otherwise. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The bytes behind an input URL: our own assets straight from the store (no HTTP round trip to
 * the API), anything else downloaded. `field` names the payload field in errors.
 */
export async function readInput(
  provider: string,
  field: string,
  url: string,
  ctx: ProviderContext,
): Promise<Buffer> {
  const own = await ctx.assets.readByUrl(url);
  if (own) return own;
  if (!/^(https?|data):/i.test(url)) {
    throw invalidPayload(provider, field, `unsupported URL ${url.slice(0, 100)}`);
  }
  let res: Response;
  try {
    res = await fetch(url, { signal: ctx.signal });
  } catch (err) {
    throwIfAborted(ctx.signal);
    throw networkError(provider, err);
  }
  if (!res.ok) {
    const body = await readBody(res);
    throw ProviderError.fromHttp(
      provider,
      res.status,
      body,
      `downloading ${field} failed (${res.status})`,
    );
  }
  return Buffer.from(await res.arrayBuffer());
}
