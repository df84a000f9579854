import sharp from 'sharp';
import { FalProvider, type FalConfig } from '../../activities/providers/fal';
import { ProviderError } from '../../activities/providers/provider';
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { makeCall, makeContext } from './context';

let fal: FakeFal;

beforeAll(async () => {
  fal = await startFakeFal();
});
afterEach(() => fal.reset());
afterAll(() => fal.close());

function provider(overrides: Partial<FalConfig> = {}) {
  return new FalProvider({ queueUrl: fal.url, key: fal.key, pollIntervalMs: 10, ...overrides });
}

const MODEL = 'fal-ai/flux/dev';

function providerError(err: unknown): ProviderError {
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('FalProvider', () => {
  it('submits, follows the returned URLs through the queue states and returns the result', async () => {
    fal.on(MODEL, { queueMs: 40, processingMs: 80 });
    const { ctx, heartbeats } = makeContext();
    const out = await provider().run(
      makeCall('fal/text-to-image', { prompt: 'a fox' }, MODEL),
      ctx,
    );

    const [submission] = fal.submissionsFor(MODEL);
    expect(fal.submissions).toHaveLength(1);
    expect(submission?.payload).toEqual({ prompt: 'a fox' });
    expect(out.requestId).toBe(submission?.request_id);
    expect(out.result).toEqual({
      images: [
        {
          url: `${fal.url}/files/${out.requestId}.png`,
          width: 64,
          height: 64,
          content_type: 'image/png',
        },
      ],
      seed: 42,
      input: { prompt: 'a fox' },
    });
    // The first heartbeat is the bare handle, recorded before any poll.
    expect(heartbeats[0]).toEqual({
      request_id: out.requestId,
      status_url: `${fal.url}/requests/${out.requestId}/status`,
      response_url: `${fal.url}/requests/${out.requestId}`,
      cancel_url: `${fal.url}/requests/${out.requestId}/cancel`,
    });
    const statuses = heartbeats.slice(1).map((h) => (h as { status: string }).status);
    expect(statuses).toContain('IN_QUEUE');
    expect(statuses).toContain('IN_PROGRESS');
    expect(statuses.at(-1)).toBe('COMPLETED');
    expect(fal.statusPolls).toBe(statuses.length);
  });

  it('passes a programmed result computed from the payload through unchanged', async () => {
    fal.on('fal-ai/echo', { result: (payload) => ({ echoed: payload, n: 7 }) });
    const { ctx } = makeContext();
    const out = await provider().run(makeCall('fal/run', { a: [1, 2] }, 'fal-ai/echo'), ctx);
    expect(out.result).toEqual({ echoed: { a: [1, 2] }, n: 7 });
  });

  it('serves a decodable default image and a video result for video models', async () => {
    const { ctx } = makeContext();
    const video = await provider().run(makeCall('fal/text-to-video', {}, 'fal-ai/veo3/video'), ctx);
    const result = video.result as { video: { url: string; content_type: string } };
    expect(result.video.content_type).toBe('video/mp4');
    const res = await fetch(result.video.url);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(4, 8)
        .toString(),
    ).toBe('ftyp');

    const image = await fetch(`${fal.url}/files/anything.png`);
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', 64, 64, true]);
  });

  it('maps a 4xx at submit to a non-retryable error and a 5xx to a retryable one', async () => {
    fal.on('m/bad', { failure: { status: 422, body: { detail: 'prompt is required' } } });
    fal.on('m/down', { failure: { status: 503 } });
    const { ctx } = makeContext();

    const bad = providerError(
      await provider()
        .run(makeCall('fal/run', {}, 'm/bad'), ctx)
        .catch((e) => e),
    );
    expect(bad.details).toMatchObject({ provider: 'fal', status: 422, retryable: false });
    expect(bad.message).toContain('prompt is required');

    const down = providerError(
      await provider()
        .run(makeCall('fal/run', {}, 'm/down'), ctx)
        .catch((e) => e),
    );
    expect(down.details).toMatchObject({ status: 503, retryable: true });
  });

  it('follows a programmed sequence: two failed submissions, then success', async () => {
    fal.on('m/flaky', { sequence: [{ failure: { status: 500 } }, { failure: { status: 500 } }] });
    const run = () => provider().run(makeCall('fal/run', {}, 'm/flaky'), makeContext().ctx);
    await expect(run()).rejects.toMatchObject({ details: { status: 500, retryable: true } });
    await expect(run()).rejects.toMatchObject({ details: { status: 500, retryable: true } });
    const out = await run();
    expect(out.requestId).toMatch(/^req_/);
    expect(fal.submissionsFor('m/flaky').map((s) => s.request_id !== undefined)).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('fails when the request COMPLETED but its response URL answers an error', async () => {
    const detail = [{ loc: ['body', 'image_url'], msg: 'unreachable' }];
    fal.on('m/broken', {
      processingMs: 20,
      failure: { status: 422, body: { detail }, stage: 'response' },
    });
    const { ctx, heartbeats } = makeContext();
    const err = providerError(
      await provider()
        .run(makeCall('fal/run', {}, 'm/broken'), ctx)
        .catch((e) => e),
    );
    expect(err.details).toMatchObject({ status: 422, retryable: false, body: { detail } });
    expect((heartbeats.at(-1) as { status: string }).status).toBe('COMPLETED');
  });

  it('sends the key and fails without retry when fal rejects it', async () => {
    const { ctx } = makeContext();
    const err = providerError(
      await provider({ key: 'wrong' })
        .run(makeCall('fal/run', {}, MODEL), ctx)
        .catch((e) => e),
    );
    expect(err.details).toMatchObject({ status: 401, retryable: false });
    expect(fal.submissions).toHaveLength(0);
  });

  it('resumes the request a crashed attempt submitted instead of submitting again', async () => {
    fal.on(MODEL, { processingMs: 150 });
    const crash = new Error('worker crashed');
    const first = makeContext({
      onHeartbeat: () => {
        throw crash;
      },
    });
    await expect(
      provider().run(makeCall('fal/text-to-image', { prompt: 'x' }, MODEL), first.ctx),
    ).rejects.toBe(crash);
    expect(fal.submissions).toHaveLength(1);

    const second = makeContext({ previousDetails: first.heartbeats[0] });
    const out = await provider().run(
      makeCall('fal/text-to-image', { prompt: 'x' }, MODEL),
      second.ctx,
    );
    expect(fal.submissions).toHaveLength(1);
    expect(out.requestId).toBe(fal.submissions[0]?.request_id);
    expect(second.heartbeats[0]).toEqual(first.heartbeats[0]);
    expect(out.result).toMatchObject({ images: [{ width: 64 }] });
  });

  it('cancels the fal request with PUT cancel_url when aborted mid-poll', async () => {
    fal.on(MODEL, { processingMs: 10_000 });
    const reason = new Error('run cancelled');
    const { ctx, controller } = makeContext({
      onHeartbeat: (_details, count) => {
        if (count === 3) controller.abort(reason);
      },
    });
    await expect(provider().run(makeCall('fal/text-to-image', {}, MODEL), ctx)).rejects.toBe(
      reason,
    );
    const id = fal.submissions[0]?.request_id as string;
    expect(fal.cancels).toEqual([id]);
    expect(fal.statusPolls).toBe(2);
    expect(fal.statusOf(id)).toBe('COMPLETED');
    expect(fal.inProgress).toBe(0);
  });

  it('interrupts the wait between polls at once when aborted', async () => {
    fal.on(MODEL, { processingMs: 10_000 });
    const { ctx, controller } = makeContext({
      onHeartbeat: (_details, count) => {
        if (count === 2) setTimeout(() => controller.abort(new Error('stop')), 20);
      },
    });
    const started = Date.now();
    await expect(
      provider({ pollIntervalMs: 60_000 }).run(makeCall('fal/run', {}, MODEL), ctx),
    ).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fal.cancels).toHaveLength(1);
  });

  it('reports an unreachable queue as a retryable error', async () => {
    const closed = await startFakeFal();
    await closed.close();
    const { ctx } = makeContext();
    const err = providerError(
      await provider({ queueUrl: closed.url })
        .run(makeCall('fal/run', {}, MODEL), ctx)
        .catch((e) => e),
    );
    expect(err.details).toMatchObject({ provider: 'fal', retryable: true });
    expect(err.details.status).toBeUndefined();
  });

  it('refuses a call without a model id', async () => {
    const err = providerError(
      await provider()
        .run(makeCall('fal/run', {}), makeContext().ctx)
        .catch((e) => e),
    );
    expect(err.details).toMatchObject({ status: 422, retryable: false });
    expect(err.message).toContain('model_id');
  });

  it('counts concurrent requests and their peak', async () => {
    fal.on(MODEL, { processingMs: 100 });
    await Promise.all(
      [1, 2, 3].map(() => provider().run(makeCall('fal/run', {}, MODEL), makeContext().ctx)),
    );
    expect(fal.peakInProgress).toBe(3);
    expect(fal.inProgress).toBe(0);
  });
});
