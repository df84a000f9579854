/**
 * OpenAI (or any server speaking its REST API) through the official client. Retries are
 * Temporal's job, so the client never retries on its own.
 */
import OpenAI from 'openai';
import { invalidPayload, networkError } from './common';
import { generateImages, synthesizeSpeech, transcribeAudio } from './openai-media';
import {
  ProviderError,
  type Provider,
  type ProviderContext,
  type TaskCall,
  type TaskResult,
} from './provider';
import { chatSchema, embeddingsSchema, parseOpenAIPayload } from './openai-schemas';

/** Connection settings for OpenAI or a compatible server. */
export interface OpenAIConfig {
  /** Defaults to api.openai.com when unset. */
  baseURL?: string;
  apiKey: string;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** What each task handler gets: the client, the validated call and the context. */
export interface OpenAITaskInput {
  client: OpenAI;
  model: string;
  payload: Record<string, unknown>;
  call: TaskCall;
  ctx: ProviderContext;
}

type ChatParams = Omit<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, 'model'>;
type EmbeddingParams = Omit<OpenAI.EmbeddingCreateParams, 'model'>;
type Handler = (input: OpenAITaskInput) => Promise<TaskResult>;

const HANDLERS: Record<string, Handler> = {
  'openai/chat-completion': chatCompletion,
  'openai/image-generation': generateImages,
  'openai/audio-speech': synthesizeSpeech,
  'openai/audio-transcription': transcribeAudio,
  'openai/embeddings': embeddings,
};

/** Runs `openai/*` tasks; `call.modelId` is the OpenAI model name. */
export class OpenAIProvider implements Provider {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(config: OpenAIConfig) {
    this.client = new OpenAI({
      baseURL: config.baseURL,
      apiKey: config.apiKey,
      maxRetries: 0,
      fetch: config.fetch,
    });
  }

  async run(call: TaskCall, ctx: ProviderContext): Promise<TaskResult> {
    const handler = HANDLERS[call.task];
    if (!handler) throw invalidPayload('openai', 'task', `unknown OpenAI task ${call.task}`);
    if (!call.modelId) throw invalidPayload('openai', 'model_id', 'required for OpenAI tasks');
    try {
      return await handler({
        client: this.client,
        model: call.modelId,
        payload: call.payload,
        call,
        ctx,
      });
    } catch (err) {
      throw toProviderError(err, ctx.signal);
    }
  }
}

/**
 * Maps client errors onto the provider contract: HTTP failures keep their status (so 4xx fail
 * fast and 429/5xx retry), connection failures retry, cancellation surfaces as its reason.
 */
export function toProviderError(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIConnectionError) return networkError('openai', err);
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const body = err.error === undefined ? err.message : { error: err.error };
    return ProviderError.fromHttp('openai', err.status, body);
  }
  return err;
}

async function chatCompletion({
  client,
  model,
  payload,
  ctx,
}: OpenAITaskInput): Promise<TaskResult> {
  const body = parseOpenAIPayload<ChatParams>(chatSchema, payload);
  const { data, request_id } = await client.chat.completions
    .create({ ...body, model, stream: false }, { signal: ctx.signal })
    .withResponse();
  return { result: data, requestId: request_id ?? data.id };
}

async function embeddings({ client, model, payload, ctx }: OpenAITaskInput): Promise<TaskResult> {
  const body = parseOpenAIPayload<EmbeddingParams>(embeddingsSchema, payload);
  // Plain float arrays: the client's default base64 decoding yields Float32Arrays, which do not
  // survive JSON (Temporal payloads, templates) as arrays.
  const { data, request_id } = await client.embeddings
    .create(
      { ...body, model, encoding_format: body.encoding_format ?? 'float' },
      { signal: ctx.signal },
    )
    .withResponse();
  return { result: data, requestId: request_id ?? undefined };
}
