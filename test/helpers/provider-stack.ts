/** A test stack wired to a fake fal queue and a fake OpenAI API, both over real HTTP. */
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai-server';
import { startStack, type TestStack } from './stack';

export interface ProviderStack {
  fal: FakeFal;
  openai: FakeOpenAI;
  stack: TestStack;
  close(): Promise<void>;
}

export async function startProviderStack(): Promise<ProviderStack> {
  const fal = await startFakeFal();
  const openai = await startFakeOpenAI();
  const stack = await startStack({
    env: {
      FAL_QUEUE_URL: fal.url,
      FAL_KEY: fal.key,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_API_KEY: openai.apiKey,
    },
  });
  return {
    fal,
    openai,
    stack,
    async close() {
      await stack.close();
      await fal.close();
      await openai.close();
    },
  };
}
