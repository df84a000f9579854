/**
 * How provider failures surface, end to end over real HTTP: a provider's 5xx is retried under
 * the node's retry policy; a 4xx fails the node at once (no retry can fix a refused payload),
 * names the provider's status and message, and skips what depends on it. The API itself never
 * answers 500 for any of it.
 */
import type { FakeFal } from '../fakes/fal-server';
import type { FakeOpenAI } from '../fakes/openai-server';
import { request, type JsonResponse } from '../helpers/http';
import { startProviderStack, type ProviderStack } from '../helpers/provider-stack';
import type { TestStack } from '../helpers/stack';

let fal: FakeFal;
let openai: FakeOpenAI;
let stack: TestStack;
/** Every status the API answered in this file. */
const seen: number[] = [];

let providers: ProviderStack;

beforeAll(async () => {
  providers = await startProviderStack();
  ({ fal, openai, stack } = providers);
});
afterAll(async () => {
  await providers?.close();
});
beforeEach(() => {
  fal.reset();
  openai.reset();
});
afterEach(() => {
  expect(seen.filter((s) => s >= 500)).toEqual([]);
});

async function api(method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const res = await request(stack.url, method, path, body);
  seen.push(res.status);
  return res;
}

/** Creates the workflow, runs it and polls until the run is final (every poll must be a 200). */
async function run(definition: unknown) {
  const created = await api('POST', '/api/workflows', definition);
  expect(created.status).toBe(201);
  const started = await api('POST', `/api/workflows/${created.body.workflow.id}/execute`, {});
  expect(started.status).toBe(201);
  const id = started.body.execution.id as string;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await api('GET', `/api/workflow-executions/${id}`);
    expect(res.status).toBe(200);
    const execution = res.body.execution;
    if (['completed', 'failed', 'cancelled', 'timed_out'].includes(execution.status)) {
      return { execution, startedAt: Date.parse(started.body.execution.created_at) };
    }
    if (Date.now() > deadline) throw new Error(`still ${execution.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fal node and a fal node depending on it. */
function falChain(model: string, retry?: Record<string, number>) {
  return {
    name: `fal chain ${model}`,
    dag: {
      nodes: {
        image: {
          task: 'fal/text-to-image',
          model_id: model,
          inputs: { prompt: 'a lighthouse at dusk' },
          ...(retry ? { retry } : {}),
        },
        upscale: {
          task: 'fal/upscale',
          model_id: 'fal-ai/downstream-upscaler',
          inputs: { image_url: '${nodes.image.result.images[0].url}' },
        },
      },
      edges: [{ from: 'image', to: 'upscale' }],
    },
  };
}

test('fal answering 500 twice, then 200: retried under the node policy and completed', async () => {
  const model = 'fal-ai/flaky-model';
  fal.on(model, {
    sequence: [
      { failure: { status: 500, body: { detail: 'Internal Server Error' } } },
      { failure: { status: 500, body: { detail: 'Internal Server Error' } } },
    ],
  });

  const { execution } = await run(falChain(model, { max_attempts: 5, initial_interval_s: 0.1 }));

  expect(execution.status).toBe('completed');
  expect(execution.error).toBeNull();
  expect(execution.nodes.image).toMatchObject({ status: 'completed', attempts: 3, error: null });
  expect(fal.submissionsFor(model)).toHaveLength(3);
  // Two refused submissions, then the one that got a request id and produced the result.
  expect(fal.submissionsFor(model).map((s) => s.request_id === undefined)).toEqual([
    true,
    true,
    false,
  ]);
  expect(execution.nodes.image.request_id).toBe(fal.submissionsFor(model)[2]!.request_id);
  expect(execution.nodes.upscale).toMatchObject({ status: 'completed', attempts: 1 });
  expect(fal.submissionsFor('fal-ai/downstream-upscaler')).toHaveLength(1);
});

test('fal answering 422 fails the run at once, names the status and message, skips downstream', async () => {
  const model = 'fal-ai/strict-model';
  // fal's (FastAPI's) shape for a refused payload.
  const detail = [{ loc: ['body', 'prompt'], msg: 'prompt is too long', type: 'value_error' }];
  fal.on(model, { failure: { status: 422, body: { detail } } });

  // Generous retries allowed: a 4xx must not use them.
  const { execution } = await run(falChain(model, { max_attempts: 5, initial_interval_s: 0.1 }));

  expect(execution.status).toBe('failed');
  expect(fal.submissionsFor(model)).toHaveLength(1);
  expect(execution.nodes.image).toMatchObject({ status: 'failed', attempts: 1 });
  expect(execution.nodes.image.error).toMatchObject({
    status: 422,
    provider: 'fal',
    body: { detail },
  });
  expect(execution.nodes.image.error.message).toContain('422');
  expect(execution.nodes.image.error.message).toContain('prompt is too long');
  // The run's error is the node's, with the node named.
  expect(execution.error).toMatchObject({ node_id: 'image', status: 422, provider: 'fal' });
  expect(execution.error.message).toMatch(/422.*prompt is too long/);
  // Downstream never ran and was never sent to fal.
  expect(execution.nodes.upscale.status).toBe('skipped');
  expect(execution.nodes.upscale.attempts).toBe(0);
  expect(fal.submissionsFor('fal-ai/downstream-upscaler')).toHaveLength(0);
  expect(fal.submissions).toHaveLength(1);
  // The failure is final: listed as failed, and readable again.
  const again = await api('GET', `/api/workflow-executions/${execution.id}`);
  expect(again.body.execution).toMatchObject({ status: 'failed', error: execution.error });
});

test('OpenAI answering 400 maps the same way: failed at once, status and message, downstream skipped', async () => {
  const message = "Invalid 'messages[0].content': string too long.";
  openai.on('/chat/completions', {
    failure: {
      status: 400,
      message,
      type: 'invalid_request_error',
      code: 'string_above_max_length',
    },
  });
  const definition = {
    name: 'chat then image',
    dag: {
      nodes: {
        chat: {
          task: 'openai/chat-completion',
          model_id: 'gpt-4o-mini',
          inputs: { messages: [{ role: 'user', content: 'describe a lighthouse' }] },
          retry: { max_attempts: 5, initial_interval_s: 0.1 },
        },
        image: {
          task: 'fal/text-to-image',
          model_id: 'fal-ai/after-chat',
          inputs: { prompt: '${nodes.chat.result.choices[0].message.content}' },
        },
      },
      edges: [{ from: 'chat', to: 'image' }],
    },
  };

  const { execution } = await run(definition);

  expect(execution.status).toBe('failed');
  expect(openai.requestsTo('/chat/completions')).toHaveLength(1);
  expect(execution.nodes.chat).toMatchObject({ status: 'failed', attempts: 1 });
  expect(execution.nodes.chat.error).toMatchObject({ status: 400, provider: 'openai' });
  expect(execution.nodes.chat.error.message).toContain('400');
  expect(execution.nodes.chat.error.message).toContain(message);
  expect(execution.error).toMatchObject({ node_id: 'chat', status: 400, provider: 'openai' });
  expect(execution.nodes.image.status).toBe('skipped');
  expect(fal.submissions).toHaveLength(0);
});
