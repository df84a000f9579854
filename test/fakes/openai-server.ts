/**
 * A fake OpenAI REST API over real HTTP, speaking the paths and shapes the official client
 * uses. Serves both `<url>/...` and `<url>/v1/...`; use `baseURL` with the client.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import {
  behaviourFor,
  closeServer,
  listen,
  readJson,
  readRaw,
  sendBytes,
  sendJson,
  type Programmed,
  type Sequenced,
} from './http';
import { fileFor, makePng, makeWav } from './media';

/** The API paths the fake implements (relative to `baseURL`). */
export type OpenAIPath =
  | '/chat/completions'
  | '/images/generations'
  | '/audio/speech'
  | '/audio/transcriptions'
  | '/embeddings';

/** An OpenAI-style failure: answered as `{error: {message, type, code}}` with `status`. */
export interface OpenAIFailure {
  status: number;
  message?: string;
  type?: string;
  code?: string | null;
}

/** How the fake answers one path. */
export interface OpenAIBehaviour extends Sequenced<OpenAIBehaviour> {
  /** Answer after this many ms (lets tests abort mid-request). */
  delayMs?: number;
  /** Response JSON (Buffer for `/audio/speech`), or a function of the request body. */
  result?: Programmed<(body: unknown, request: OpenAIRequest) => unknown> | Buffer;
  failure?: OpenAIFailure;
}

/** One request as the fake recorded it. */
export interface OpenAIRequest {
  path: OpenAIPath | string;
  /** JSON body; for multipart uploads `{fields, file: {name, type, size}}`. */
  body: unknown;
  authorization: string | undefined;
  at: Date;
}

/** A running fake OpenAI API: its URLs, what it saw, and how to program it. */
export interface FakeOpenAI {
  url: string;
  /** `<url>/v1`, what the official client expects as `baseURL`. */
  baseURL: string;
  apiKey: string;
  /** Every request received (unauthorised ones too), in arrival order. */
  requests: OpenAIRequest[];
  requestsTo(path: OpenAIPath): OpenAIRequest[];
  /** Programs the behaviour of one path (replacing any earlier one). */
  on(path: OpenAIPath, behaviour: OpenAIBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

/** A chat completion body whose assistant message is `content`. */
export function chatCompletion(content: string, model = 'gpt-fake') {
  return {
    id: `chatcmpl-${createHash('sha1').update(content).digest('hex').slice(0, 12)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
  };
}

type Body = Record<string, unknown>;

function lastUserMessage(body: Body): string {
  const messages = (body.messages as Array<{ role: string; content: unknown }>) ?? [];
  const user = [...messages].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}

/** A deterministic unit-ish vector per text, so equal inputs embed equally. */
function vector(text: string, dims = 8): number[] {
  const hash = createHash('sha256').update(text).digest();
  return Array.from({ length: dims }, (_, i) => ((hash[i] ?? 0) - 128) / 128);
}

function embeddings(body: Body) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((input, index) => {
    const values = vector(String(input));
    const embedding =
      body.encoding_format === 'base64'
        ? Buffer.from(new Float32Array(values).buffer).toString('base64')
        : values;
    return { object: 'embedding', index, embedding };
  });
  return { object: 'list', data, model: body.model, usage: { prompt_tokens: 3, total_tokens: 3 } };
}

async function readMultipart(req: http.IncomingMessage) {
  const form = await new Response(await readRaw(req), {
    headers: { 'content-type': req.headers['content-type'] ?? '' },
  }).formData();
  const fields: Record<string, string> = {};
  let file: { name: string; type: string; size: number } | undefined;
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') fields[key] = value;
    else file = { name: value.name, type: value.type, size: value.size };
  }
  return { fields, file };
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeOpenAI(options: { apiKey?: string } = {}): Promise<FakeOpenAI> {
  const png = await makePng(32);
  const behaviours = new Map<string, OpenAIBehaviour>();
  const timers = new Set<NodeJS.Timeout>();
  let images = 0;

  const defaults: Record<OpenAIPath, (body: Body) => unknown> = {
    '/chat/completions': (b) => chatCompletion(`echo: ${lastUserMessage(b)}`, String(b.model)),
    '/images/generations': (b) => ({
      created: Math.floor(Date.now() / 1000),
      data: Array.from({ length: Number(b.n ?? 1) }, () =>
        b.response_format === 'url'
          ? { url: `${fake.url}/files/image-${++images}.png`, revised_prompt: b.prompt }
          : { b64_json: png.toString('base64'), revised_prompt: b.prompt },
      ),
    }),
    '/audio/speech': () => makeWav(),
    '/audio/transcriptions': (b) => {
      const file = (b as { file?: { size: number } }).file;
      return { text: `fake transcript of ${file?.size ?? 0} bytes` };
    },
    '/embeddings': embeddings,
  };

  function send(res: http.ServerResponse, path: string, answer: unknown, body: Body) {
    const headers = { 'x-request-id': `req_fake_${fake.requests.length}` };
    if (Buffer.isBuffer(answer)) return sendBytes(res, answer, 'audio/wav', headers);
    const fields = (body as { fields?: Body }).fields;
    if (path === '/audio/transcriptions' && fields?.response_format === 'text') {
      return sendJson(res, 200, String((answer as Body).text), headers);
    }
    sendJson(res, 200, answer, headers);
  }

  function answer(res: http.ServerResponse, path: OpenAIPath, request: OpenAIRequest) {
    const n = fake.requestsTo(path).length - 1;
    const behaviour = behaviourFor(behaviours.get(path) ?? {}, n);
    const respond = () => {
      const { failure, result } = behaviour;
      if (failure) {
        const { status, message = 'fake failure', type = 'server_error', code = null } = failure;
        return sendJson(res, status, { error: { message, type, code, param: null } });
      }
      const body = request.body as Body;
      const value =
        typeof result === 'function' ? result(body, request) : (result ?? defaults[path](body));
      send(res, path, value, body);
    };
    if (!behaviour.delayMs) return respond();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) respond();
    }, behaviour.delayMs);
    timers.add(timer);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = new URL(req.url ?? '/', fake.url).pathname.replace(/^\/v1(?=\/)/, '');
    const file = /^\/files\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && file) {
      const served = fileFor(file[1] ?? '', png);
      return served ? sendBytes(res, served.bytes, served.contentType) : sendJson(res, 404, {});
    }
    const multipart = req.headers['content-type']?.startsWith('multipart/form-data');
    const body = multipart ? await readMultipart(req) : await readJson(req);
    const request = { path, body, authorization: req.headers.authorization, at: new Date() };
    fake.requests.push(request);
    if (request.authorization !== `Bearer ${fake.apiKey}`) {
      const error = {
        message: 'Incorrect API key provided',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      };
      return sendJson(res, 401, { error });
    }
    if (req.method !== 'POST' || !(path in defaults)) {
      return sendJson(res, 404, {
        error: { message: `Unknown path ${path}`, type: 'invalid_request_error' },
      });
    }
    answer(res, path as OpenAIPath, request);
  }

  const { server, url } = await listen(route);
  const fake: FakeOpenAI = {
    url,
    baseURL: `${url}/v1`,
    apiKey: options.apiKey ?? 'sk-test-key',
    requests: [],
    requestsTo: (path) => fake.requests.filter((r) => r.path === path),
    on: (path, behaviour) => void behaviours.set(path, behaviour),
    reset() {
      behaviours.clear();
      fake.requests = [];
    },
    async close() {
      timers.forEach(clearTimeout);
      await closeServer(server);
    },
  };
  return fake;
}
