import { definitionSchema } from '../../../workflows/definition/schema';
import { validateDefinition } from '../../../workflows/definition/validate';

/** casola's "Batch image generation with selection" example, verbatim. */
const pickExample = {
  nodes: {
    generate: {
      type: 'map',
      items: '${input.prompts}',
      node: {
        model_id: 'black-forest-labs/FLUX.1-schnell',
        task: 'fal/text-to-image',
        payload: {
          prompt: '${item}',
        },
      },
      tolerance: 0,
    },
    select: {
      type: 'task',
      model_id: 'casola/pick',
      task: 'casola/pick',
      payload: {
        source: '${nodes.generate.result.items}',
        indices: [0, 2],
      },
    },
  },
  edges: [{ from: 'generate', to: 'select' }],
};

const settings = { input_params: { prompts: { type: 'array', required: true } } };

function validate(nodes: Record<string, unknown>, edges: [string, string][] = []) {
  const def = definitionSchema.parse({
    name: 'map',
    dag: { nodes, edges: edges.map(([from, to]) => ({ from, to })) },
    settings,
  });
  return validateDefinition(def);
}

const map = (over: Record<string, unknown> = {}, inner: Record<string, unknown> = {}) => ({
  type: 'map',
  items: '${input.prompts}',
  node: { task: 'fal/text-to-image', model_id: 'm', payload: { prompt: '${item}' }, ...inner },
  ...over,
});

describe('map node schema', () => {
  it('parses the casola example and keeps the inner node without a type', () => {
    const def = definitionSchema.parse({ name: 'pick', dag: pickExample, settings });
    expect(def.dag.nodes.generate).toMatchObject({
      type: 'map',
      node: { task: 'fal/text-to-image' },
    });
  });

  it('accepts an inner node typed task and rejects other inner kinds and bad knobs', () => {
    const parse = (node: unknown) =>
      definitionSchema.safeParse({ name: 'x', dag: { nodes: { m: node } } }).success;
    expect(parse(map({}, { type: 'task' }))).toBe(true);
    expect(parse(map({}, { type: 'map' }))).toBe(false);
    expect(parse(map({}, { locked: true }))).toBe(false);
    expect(parse(map({ tolerance: 1.5 }))).toBe(false);
    expect(parse(map({ max_concurrency: 0 }))).toBe(false);
    expect(parse(map({ max_concurrency: 2.5 }))).toBe(false);
    expect(parse(map({ items: 42 }))).toBe(false);
  });
});

describe('validateDefinition with map nodes', () => {
  it('accepts the casola map + pick example without diagnostics', () => {
    const def = definitionSchema.parse({ name: 'pick', dag: pickExample, settings });
    expect(validateDefinition(def)).toEqual({ errors: [], warnings: [], type_issues: [] });
  });

  it('allows ${item...} and $each inside the inner node', () => {
    const d = validate({
      m: map(
        {},
        {
          payload: {
            prompt: '${item.text}',
            tags: { $each: '${item.tags}', template: { name: '${item}' } },
          },
        },
      ),
    });
    expect(d.errors).toEqual([]);
  });

  it('checks the inner node like a task, at its own path', () => {
    const d = validate({
      a: map({}, { task: undefined }),
      b: map({}, { task: 'fal/nope' }),
      c: map({}, { model_id: undefined }),
    });
    expect(d.errors.map((e) => [e.code, e.path])).toEqual([
      ['missing_task', 'dag.nodes.a.node.task'],
      ['unknown_task', 'dag.nodes.b.node.task'],
      ['missing_model', 'dag.nodes.c.node.model_id'],
    ]);
  });

  it('requires items to be one reference or a literal array', () => {
    const d = validate({
      a: map({ items: 'prompts' }),
      b: map({ items: 'x ${input.prompts}' }),
      c: map({ items: ['a', 'b'] }),
      d: map({ items: '${item}' }),
      e: map({ items: '${input.prompts' }),
    });
    expect(d.errors.map((e) => [e.node_id, e.code, e.path])).toEqual([
      ['a', 'invalid_template', 'dag.nodes.a.items'],
      ['b', 'invalid_template', 'dag.nodes.b.items'],
      ['d', 'invalid_template', 'dag.nodes.d.items'],
      ['e', 'invalid_template', 'dag.nodes.e.items'],
    ]);
    expect(d.errors[2]!.message).toContain("map node's inner node");
  });

  it('applies the upstream rules to items and to the inner node', () => {
    const d = validate({
      src: { task: 'pick', payload: { source: [1], indices: [0] } },
      a: map({ items: '${nodes.src.result.items}' }),
      b: map({}, { payload: { prompt: '${item} ${nodes.src.result.items[0]}' } }),
      c: map({}, { payload: { prompt: '${nodes.c.result}' } }),
    });
    expect(d.errors.map((e) => [e.node_id, e.code, e.path])).toEqual([
      ['a', 'reference_not_upstream', 'dag.nodes.a.items'],
      ['b', 'reference_not_upstream', 'dag.nodes.b.node.payload.prompt'],
      ['c', 'reference_not_upstream', 'dag.nodes.c.node.payload.prompt'],
    ]);
    const wired = validate(
      {
        src: { task: 'pick', payload: { source: [1], indices: [0] } },
        a: map({ items: '${nodes.src.result.items}' }),
      },
      [['src', 'a']],
    );
    expect(wired.errors).toEqual([]);
  });

  it('still rejects ${item} outside map inner nodes and $each', () => {
    const d = validate({ t: { task: 'pick', payload: { source: '${item}', indices: [0] } } });
    expect(d.errors.map((e) => e.code)).toEqual(['invalid_template']);
  });

  it('flags references to a map result outside items as a type issue', () => {
    const d = validate(
      {
        gen: map(),
        use: { task: 'pick', payload: { source: '${nodes.gen.result.images}', indices: [0] } },
      },
      [['gen', 'use']],
    );
    expect(d.errors).toEqual([]);
    expect(d.type_issues.map((t) => [t.code, t.path])).toEqual([
      ['unknown_output', 'dag.nodes.use.payload.source'],
    ]);
  });
});
