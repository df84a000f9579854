import { ProviderError } from '../../activities/providers/provider';
import { createProviders } from '../../activities/providers/registry';
import { loadConfig } from '../../runtime/config';
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { makeCall, makeContext } from './context';

let fal: FakeFal;

beforeAll(async () => {
  fal = await startFakeFal();
});
afterAll(() => fal.close());

describe('createProviders', () => {
  const config = () =>
    loadConfig({
      FAL_QUEUE_URL: fal.url,
      FAL_KEY: fal.key,
      FAL_POLL_INTERVAL_MS: '5',
      OPENAI_API_KEY: 'sk-x',
    });

  it('chooses the provider by task family and reuses it', () => {
    const providers = createProviders({ config: config() });
    expect(providers.forTask('fal/text-to-video').name).toBe('fal');
    expect(providers.forTask('openai/embeddings').name).toBe('openai');
    expect(providers.forTask('casola/pick').name).toBe('builtin');
    expect(providers.forTask('local/outline').name).toBe('local');
    expect(providers.forTask('fal/upscale')).toBe(providers.forTask('fal/run'));
  });

  it('builds a working fal provider from configuration', async () => {
    const providers = createProviders({ config: config() });
    const call = makeCall('fal/text-to-image', { prompt: 'p' }, 'fal-ai/flux');
    const out = await providers.forTask(call.task).run(call, makeContext().ctx);
    expect(out.result).toMatchObject({ images: [{ width: 64 }] });
    expect(fal.submissions).toHaveLength(1);
  });

  it('refuses unknown tasks with a non-retryable 422', () => {
    const providers = createProviders({ config: config() });
    let err: unknown;
    try {
      providers.forTask('fal/teleport');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).details).toMatchObject({ status: 422, retryable: false });
    expect((err as ProviderError).message).toContain('fal/teleport');
  });

  it('fails tasks of a provider whose key is not configured, without retry', () => {
    const providers = createProviders({ config: loadConfig({}) });
    expect(() => providers.forTask('openai/chat-completion')).toThrow(/OPENAI_API_KEY/);
    expect(() => providers.forTask('openai/chat-completion')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ retryable: false }) }),
    );
    expect(() => providers.forTask('fal/run')).toThrow(/FAL_KEY/);
    expect(providers.forTask('pick').name).toBe('builtin');
  });
});
