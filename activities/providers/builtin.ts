/** Tasks Skein runs itself, without a model: `pick` (alias `casola/pick`). */
import { z } from 'zod';
import { invalidPayload, parsePayload } from './common';
import type { Provider, ProviderContext, TaskCall, TaskResult } from './provider';

const pickSchema = z.object({
  source: z.array(z.unknown(), { error: 'must be an array' }),
  indices: z.array(z.number().int({ error: 'must be an integer' }), {
    error: 'must be an array of integers',
  }),
});

/** Selects `source[i]` for each `i` in `indices`, in that order; result `{items}`. */
export function pick(payload: unknown): { items: unknown[] } {
  const { source, indices } = parsePayload('builtin', pickSchema, payload);
  const items = indices.map((index, i) => {
    if (index < 0 || index >= source.length) {
      throw invalidPayload(
        'builtin',
        `indices[${i}]`,
        `${index} is out of range for source of length ${source.length}`,
      );
    }
    return source[index];
  });
  return { items };
}

const TASKS: Record<string, (payload: unknown) => unknown> = {
  pick,
  'casola/pick': pick,
};

/** Runs built-in tasks in-process; they are pure, so cancellation has nothing to stop. */
export class BuiltinProvider implements Provider {
  readonly name = 'builtin';

  async run(call: TaskCall, _ctx?: ProviderContext): Promise<TaskResult> {
    const task = TASKS[call.task];
    if (!task) throw invalidPayload('builtin', 'task', `unknown built-in task ${call.task}`);
    return { result: task(call.payload) };
  }
}
