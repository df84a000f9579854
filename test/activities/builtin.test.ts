import { BuiltinProvider } from '../../activities/providers/builtin';
import { ProviderError } from '../../activities/providers/provider';
import { makeCall, makeContext } from './context';

const builtin = new BuiltinProvider();

function run(task: string, payload: Record<string, unknown>) {
  return builtin.run(makeCall(task, payload), makeContext().ctx);
}

async function refusal(payload: Record<string, unknown>): Promise<ProviderError> {
  const err = await run('pick', payload).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect((err as ProviderError).details).toMatchObject({ status: 422, retryable: false });
  return err as ProviderError;
}

describe('pick', () => {
  it('selects items by index, in the order given, repeats allowed', async () => {
    const source = [{ url: 'a' }, { url: 'b' }, { url: 'c' }];
    await expect(run('pick', { source, indices: [2, 0, 2] })).resolves.toEqual({
      result: { items: [{ url: 'c' }, { url: 'a' }, { url: 'c' }] },
    });
    await expect(run('casola/pick', { source, indices: [] })).resolves.toEqual({
      result: { items: [] },
    });
  });

  it('refuses bad payloads naming the field', async () => {
    expect((await refusal({ source: 'abc', indices: [0] })).message).toContain('source');
    expect((await refusal({ source: [1, 2], indices: [0, 2] })).message).toContain('indices[1]');
    expect((await refusal({ source: [1, 2], indices: [-1] })).message).toContain('indices[0]');
    expect((await refusal({ source: [1, 2], indices: [0.5] })).message).toContain('indices[0]');
    expect((await refusal({ source: [1, 2] })).message).toContain('indices');
  });
});
