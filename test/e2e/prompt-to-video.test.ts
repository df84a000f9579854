/**
 * casola's Prompt-to-Video template, posted verbatim, end to end against the fake fal queue and
 * the fake OpenAI API over real HTTP; and a diamond DAG proving independent branches overlap.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chatCompletion, type FakeOpenAI } from '../fakes/openai-server';
import type { FakeFal } from '../fakes/fal-server';
import { request, waitForExecution } from '../helpers/http';
import { startProviderStack, type ProviderStack } from '../helpers/provider-stack';
import type { TestStack } from '../helpers/stack';

let fal: FakeFal;
let openai: FakeOpenAI;
let stack: TestStack;

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

/** Exactly as casola documents it; not a character changed. */
const PROMPT_TO_VIDEO = JSON.parse(
  '{"name":"Prompt to Video","description":"Enhance a prompt with an LLM, then generate a video from it","dag":{"nodes":{"enhance":{"model_id":"Qwen/Qwen3.5-4B","task":"openai/chat-completion","inputs":{"messages":[{"role":"system","content":"Rewrite the following prompt to be more detailed and cinematic for video generation."},{"role":"user","content":"${input.prompt}"}]},"outputs":["choices[0].message.content"]},"generate_video":{"model_id":"fal-ai/wan/v2.2-5b","task":"fal/text-to-video","inputs":{"prompt":"${nodes.enhance.result.choices[0].message.content}","num_frames":81,"fps":16},"outputs":["video.url"]}},"edges":[{"from":"enhance","to":"generate_video"}]}}',
);

test('docs/examples/prompt-to-video.json is the same definition', () => {
  const file = path.join(__dirname, '..', '..', 'docs', 'examples', 'prompt-to-video.json');
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(PROMPT_TO_VIDEO);
});

async function createAndRun(definition: unknown, inputParams: Record<string, unknown> = {}) {
  const created = await request(stack.url, 'POST', '/api/workflows', definition);
  expect(created.status).toBe(201);
  expect(created.body.diagnostics.type_issues).toEqual([]);
  const started = await request(
    stack.url,
    'POST',
    `/api/workflows/${created.body.workflow.id}/execute`,
    { input_params: inputParams },
  );
  expect(started.status).toBe(201);
  return waitForExecution(stack.url, started.body.execution.id);
}

test('Prompt to Video: the LLM-enhanced prompt reaches fal and the video URL comes back', async () => {
  const prompt = 'a cat playing piano in a jazz bar';
  const enhanced =
    'A tabby cat at a grand piano in a smoky 1950s jazz bar, warm amber spotlight, slow dolly-in';
  openai.on('/chat/completions', {
    result: (body) => chatCompletion(enhanced, (body as { model: string }).model),
  });
  // What fal's wan models answer: a video file on fal's CDN (here: served by the fake).
  fal.on('fal-ai/wan/v2.2-5b', {
    result: (payload, submission) => ({
      video: { url: `${fal.url}/files/${submission.request_id}.mp4`, content_type: 'video/mp4' },
      prompt: (payload as { prompt: string }).prompt,
      seed: 7,
    }),
  });

  const done = await createAndRun(PROMPT_TO_VIDEO, { prompt });

  expect(done.status).toBe('completed');
  expect(done.error).toBeNull();
  expect(done.nodes.enhance).toMatchObject({ status: 'completed', attempts: 1 });
  expect(done.nodes.generate_video).toMatchObject({ status: 'completed', attempts: 1 });

  // OpenAI: one chat completion, the model id and the user's prompt as sent.
  const chats = openai.requestsTo('/chat/completions');
  expect(chats).toHaveLength(1);
  const chat = chats[0]!.body as { model: string; messages: { role: string; content: string }[] };
  expect(chat.model).toBe('Qwen/Qwen3.5-4B');
  expect(chat.messages).toEqual([
    {
      role: 'system',
      content:
        'Rewrite the following prompt to be more detailed and cinematic for video generation.',
    },
    { role: 'user', content: prompt },
  ]);
  const content = done.outputs.enhance.choices[0].message.content;
  expect(content).toBe(enhanced);

  // fal: exactly one submission of the video model, carrying the enhanced prompt.
  expect(fal.submissions).toHaveLength(1);
  const [submission] = fal.submissionsFor('fal-ai/wan/v2.2-5b');
  expect(submission).toBeDefined();
  expect(submission!.payload).toEqual({ prompt: content, num_frames: 81, fps: 16 });

  const videoUrl = `${fal.url}/files/${submission!.request_id}.mp4`;
  expect(done.outputs.generate_video.video.url).toBe(videoUrl);
  expect(done.nodes.generate_video.request_id).toBe(submission!.request_id);
  // The URL is real: the fake serves an MP4 there.
  const video = await fetch(videoUrl);
  expect(video.status).toBe(200);
  expect(video.headers.get('content-type')).toBe('video/mp4');
});

test('a diamond DAG runs its two middle branches in parallel and joins after both', async () => {
  fal.on('fal-ai/branch-b', { processingMs: 1500 });
  fal.on('fal-ai/branch-c', { processingMs: 1500 });
  const diamond = {
    name: 'diamond',
    dag: {
      nodes: {
        a: { task: 'pick', payload: { source: ['a red fox', 'a blue whale'], indices: [0] } },
        b: {
          task: 'fal/text-to-image',
          model_id: 'fal-ai/branch-b',
          inputs: { prompt: '${nodes.a.result.items[0]}', seed: 1 },
        },
        c: {
          task: 'fal/text-to-image',
          model_id: 'fal-ai/branch-c',
          inputs: { prompt: '${nodes.a.result.items[0]}', seed: 2 },
        },
        d: {
          task: 'pick',
          payload: {
            source: ['${nodes.b.result.images[0].url}', '${nodes.c.result.images[0].url}'],
            indices: [1, 0],
          },
        },
      },
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    },
  };

  const done = await createAndRun(diamond);
  expect(done.status).toBe('completed');

  const t = (node: string, field: 'started_at' | 'finished_at') =>
    Date.parse(done.nodes[node][field]);
  // b and c overlapped: each started before the other finished.
  expect(t('b', 'started_at')).toBeLessThan(t('c', 'finished_at'));
  expect(t('c', 'started_at')).toBeLessThan(t('b', 'finished_at'));
  // Both branches took their 1.5 s, and together far less than the 3 s a sequence would need.
  expect(t('b', 'finished_at') - t('b', 'started_at')).toBeGreaterThanOrEqual(1400);
  expect(t('c', 'finished_at') - t('c', 'started_at')).toBeGreaterThanOrEqual(1400);
  const span =
    Math.max(t('b', 'finished_at'), t('c', 'finished_at')) -
    Math.min(t('b', 'started_at'), t('c', 'started_at'));
  expect(span).toBeLessThan(2900);
  // The fake saw both requests in flight at once.
  expect(fal.peakInProgress).toBe(2);
  // Both started after a; d after both.
  expect(t('b', 'started_at')).toBeGreaterThanOrEqual(t('a', 'finished_at'));
  expect(t('c', 'started_at')).toBeGreaterThanOrEqual(t('a', 'finished_at'));
  expect(t('d', 'started_at')).toBeGreaterThanOrEqual(
    Math.max(t('b', 'finished_at'), t('c', 'finished_at')),
  );

  // Each branch got a's output, and d joined both results.
  expect(fal.submissionsFor('fal-ai/branch-b')[0]!.payload).toEqual({
    prompt: 'a red fox',
    seed: 1,
  });
  expect(fal.submissionsFor('fal-ai/branch-c')[0]!.payload).toEqual({
    prompt: 'a red fox',
    seed: 2,
  });
  expect(done.outputs.d.items).toEqual([
    done.outputs.c.images[0].url,
    done.outputs.b.images[0].url,
  ]);
});
