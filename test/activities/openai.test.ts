import sharp from 'sharp';
import { OpenAIProvider } from '../../activities/providers/openai';
import { ProviderError } from '../../activities/providers/provider';
import { makeWav } from '../fakes/media';
import { MEMORY_ASSETS_URL } from '../fakes/memory-assets';
import { chatCompletion, startFakeOpenAI, type FakeOpenAI } from '../fakes/openai-server';
import { makeCall, makeContext } from './context';

let openai: FakeOpenAI;

beforeAll(async () => {
  openai = await startFakeOpenAI();
});
afterEach(() => openai.reset());
afterAll(() => openai.close());

function provider(apiKey = openai.apiKey, baseURL = openai.baseURL) {
  return new OpenAIProvider({ baseURL, apiKey });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const messages = [{ role: 'user', content: 'hello there' }];

describe('OpenAIProvider: chat and embeddings', () => {
  it('sends a chat completion with the node model and returns the completion JSON', async () => {
    const { ctx } = makeContext();
    const out = await provider().run(
      makeCall('openai/chat-completion', { messages, temperature: 0 }, 'gpt-4o-mini'),
      ctx,
    );
    const result = out.result as ReturnType<typeof chatCompletion>;
    expect(result.choices[0]?.message.content).toBe('echo: hello there');
    expect(out.requestId).toMatch(/^req_fake_/);
    const [request] = openai.requestsTo('/chat/completions');
    expect(request?.authorization).toBe(`Bearer ${openai.apiKey}`);
    expect(request?.body).toEqual({
      messages,
      temperature: 0,
      model: 'gpt-4o-mini',
      stream: false,
    });
  });

  it('refuses streaming and a payload without messages, naming the field', async () => {
    const run = (payload: Record<string, unknown>) =>
      provider().run(makeCall('openai/chat-completion', payload, 'gpt'), makeContext().ctx);
    const stream = await failure(run({ messages, stream: true }));
    expect(stream.details).toMatchObject({ status: 422, retryable: false });
    expect(stream.message).toContain('stream');
    expect((await failure(run({}))).message).toContain('messages');
    expect(openai.requests).toHaveLength(0);
  });

  it('returns embeddings as plain number arrays', async () => {
    const { ctx } = makeContext();
    const out = await provider().run(
      makeCall('openai/embeddings', { input: ['a', 'b'] }, 'text-embedding-3-small'),
      ctx,
    );
    const result = out.result as { data: Array<{ embedding: unknown; index: number }> };
    expect(result.data).toHaveLength(2);
    expect(Array.isArray(result.data[0]?.embedding)).toBe(true);
    expect(result.data[0]?.embedding).toHaveLength(8);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(openai.requestsTo('/embeddings')[0]?.body).toMatchObject({ encoding_format: 'float' });
  });
});

describe('OpenAIProvider: files', () => {
  it('stores generated images and answers their URLs instead of base64', async () => {
    const { ctx, assets } = makeContext();
    const out = await provider().run(
      makeCall('openai/image-generation', { prompt: 'a cat', n: 2 }, 'gpt-image-1'),
      ctx,
    );
    const result = out.result as {
      data: Array<Record<string, unknown>>;
      images: Array<{ url: string; width: number; content_type: string }>;
    };
    expect(result.images).toHaveLength(2);
    expect(result.data[0]?.b64_json).toBeUndefined();
    expect(result.data[0]?.revised_prompt).toBe('a cat');
    expect(result.images[0]).toMatchObject({ width: 32, height: 32, content_type: 'image/png' });
    expect(result.images[0]?.url.startsWith(MEMORY_ASSETS_URL)).toBe(true);
    const bytes = await assets.readByUrl(result.images[0]?.url ?? '');
    expect((await sharp(bytes).metadata()).format).toBe('png');
    expect(assets.stored[0]?.meta).toMatchObject({ executionId: 'exec_test' });
  });

  it('keeps a copy of images OpenAI answers by URL', async () => {
    const { ctx, assets } = makeContext();
    const out = await provider().run(
      makeCall('openai/image-generation', { prompt: 'x', response_format: 'url' }, 'dall-e-2'),
      ctx,
    );
    const url = (out.result as { images: Array<{ url: string }> }).images[0]?.url;
    expect(url?.startsWith(MEMORY_ASSETS_URL)).toBe(true);
    expect(assets.stored).toHaveLength(1);
  });

  it('stores synthesized speech and answers its URL and sniffed type', async () => {
    const { ctx, assets } = makeContext();
    const out = await provider().run(
      makeCall('openai/audio-speech', { input: 'hi', response_format: 'wav' }, 'tts-1'),
      ctx,
    );
    const result = out.result as { audio_url: string; content_type: string };
    expect(result.content_type).toBe('audio/wav');
    const bytes = await assets.readByUrl(result.audio_url);
    expect(bytes?.subarray(0, 4).toString()).toBe('RIFF');
    expect(openai.requestsTo('/audio/speech')[0]?.body).toMatchObject({
      voice: 'alloy',
      model: 'tts-1',
    });
  });

  it('uploads audio from the asset store for transcription', async () => {
    const { ctx, assets } = makeContext();
    const wav = makeWav(200);
    const stored = await assets.put(wav, {});
    const out = await provider().run(
      makeCall(
        'openai/audio-transcription',
        { audio_url: stored.url, language: 'en' },
        'whisper-1',
      ),
      ctx,
    );
    expect(out.result).toEqual({ text: `fake transcript of ${wav.length} bytes` });
    const body = openai.requestsTo('/audio/transcriptions')[0]?.body;
    expect(body).toEqual({
      fields: { model: 'whisper-1', language: 'en' },
      file: { name: 'audio.wav', type: 'audio/wav', size: wav.length },
    });
  });

  it('downloads file_url over HTTP and wraps a plain-text transcription as {text}', async () => {
    const { ctx } = makeContext();
    const out = await provider().run(
      makeCall(
        'openai/audio-transcription',
        { file_url: `${openai.url}/files/clip.wav`, response_format: 'text' },
        'whisper-1',
      ),
      ctx,
    );
    expect(out.result).toEqual({ text: `fake transcript of ${makeWav().length} bytes` });
  });

  it('refuses a transcription without audio_url', async () => {
    const err = await failure(
      provider().run(makeCall('openai/audio-transcription', {}, 'whisper-1'), makeContext().ctx),
    );
    expect(err.message).toContain('audio_url');
  });
});

describe('OpenAIProvider: failures', () => {
  it('maps 4xx to non-retryable and 429/5xx to retryable, keeping the error body', async () => {
    openai.on('/chat/completions', {
      sequence: [
        { failure: { status: 400, message: 'bad messages', type: 'invalid_request_error' } },
        { failure: { status: 429, message: 'slow down' } },
        { failure: { status: 500 } },
      ],
    });
    const run = () =>
      provider().run(makeCall('openai/chat-completion', { messages }, 'gpt'), makeContext().ctx);
    const bad = await failure(run());
    expect(bad.details).toMatchObject({ provider: 'openai', status: 400, retryable: false });
    expect(bad.details.body).toMatchObject({ error: { message: 'bad messages' } });
    expect(bad.message).toContain('bad messages');
    expect((await failure(run())).details).toMatchObject({ status: 429, retryable: true });
    expect((await failure(run())).details).toMatchObject({ status: 500, retryable: true });
    await expect(run()).resolves.toMatchObject({ result: { object: 'chat.completion' } });
    // maxRetries: 0 — one request per attempt, retries are Temporal's.
    expect(openai.requestsTo('/chat/completions')).toHaveLength(4);
  });

  it('reports a rejected key as 401', async () => {
    const err = await failure(
      provider('sk-wrong').run(
        makeCall('openai/embeddings', { input: 'x' }, 'e'),
        makeContext().ctx,
      ),
    );
    expect(err.details).toMatchObject({ status: 401, retryable: false });
  });

  it('reports an unreachable server as retryable', async () => {
    const gone = await startFakeOpenAI();
    await gone.close();
    const err = await failure(
      provider(undefined, gone.baseURL).run(
        makeCall('openai/embeddings', { input: 'x' }, 'e'),
        makeContext().ctx,
      ),
    );
    expect(err.details).toMatchObject({ provider: 'openai', retryable: true });
  });

  it('aborts an in-flight request with the cancellation reason', async () => {
    openai.on('/chat/completions', { delayMs: 5_000 });
    const { ctx, controller } = makeContext();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    await expect(
      provider().run(makeCall('openai/chat-completion', { messages }, 'gpt'), ctx),
    ).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
