import { diagnosticsSchema } from '../../../workflows/definition/diagnostics';
import { definitionSchema, type Definition } from '../../../workflows/definition/schema';
import { hasErrors, validateDefinition } from '../../../workflows/definition/validate';

/** casola's "Prompt to Video" example: an LLM enhances the prompt, then fal renders it. */
const promptToVideo = {
  name: 'Prompt to Video',
  description: 'Enhance a prompt with an LLM, then generate a video from it.',
  dag: {
    nodes: {
      enhance: {
        type: 'task',
        task: 'openai/chat-completion',
        model_id: 'Qwen/Qwen3.5-4B',
        inputs: {
          messages: [
            { role: 'system', content: 'Rewrite the prompt as a vivid, detailed video shot.' },
            { role: 'user', content: '${input.prompt}' },
          ],
        },
        outputs: ['choices[0].message.content'],
      },
      generate_video: {
        type: 'task',
        task: 'fal/text-to-video',
        model_id: 'fal-ai/wan/v2.2-5b',
        inputs: {
          prompt: '${nodes.enhance.result.choices[0].message.content}',
          num_frames: 81,
          fps: 16,
        },
        outputs: ['video.url'],
      },
    },
    edges: [{ from: 'enhance', to: 'generate_video' }],
  },
};

/** A parsed definition built from task nodes `{id: partial node}` and `[from, to]` edges. */
function definition(
  nodes: Record<string, Record<string, unknown>>,
  edges: [string, string][] = [],
  settings?: unknown,
): Definition {
  return definitionSchema.parse({
    name: 'test',
    dag: {
      nodes: Object.fromEntries(
        Object.entries(nodes).map(([id, node]) => [id, { task: 'pick', ...node }]),
      ),
      edges: edges.map(([from, to]) => ({ from, to })),
    },
    settings,
  });
}

describe('validateDefinition', () => {
  it('accepts casola Prompt to Video with one undeclared_input warning', () => {
    const d = validateDefinition(definitionSchema.parse(promptToVideo));
    expect(diagnosticsSchema.parse(d)).toEqual(d);
    expect(d.errors).toEqual([]);
    expect(d.type_issues).toEqual([]);
    expect(d.warnings).toEqual([
      {
        code: 'undeclared_input',
        message: expect.stringContaining("input 'prompt'"),
        path: 'dag.nodes.enhance.inputs.messages[1].content',
        node_id: 'enhance',
      },
    ]);
    expect(hasErrors(d)).toBe(false);
  });

  it('has no warning once the input is declared', () => {
    const declared = {
      ...promptToVideo,
      settings: { input_params: { prompt: { type: 'string', required: true } } },
    };
    const d = validateDefinition(definitionSchema.parse(declared));
    expect(d).toEqual({ errors: [], warnings: [], type_issues: [] });
  });

  it('reports edges to and from missing nodes with the field path', () => {
    const d = validateDefinition(
      definition({ a: {} }, [
        ['a', 'ghost'],
        ['phantom', 'a'],
      ]),
    );
    expect(d.errors.map((e) => [e.code, e.path])).toEqual([
      ['unknown_node', 'dag.edges[0].to'],
      ['unknown_node', 'dag.edges[1].from'],
    ]);
    expect(d.errors[0]!.message).toContain("'ghost'");
  });

  it('reports self loops as errors and duplicate edges as warnings', () => {
    const d = validateDefinition(
      definition({ a: {}, b: {} }, [
        ['a', 'b'],
        ['b', 'b'],
        ['a', 'b'],
      ]),
    );
    expect(d.errors.map((e) => [e.code, e.path, e.node_id])).toEqual([
      ['self_loop', 'dag.edges[1]', 'b'],
    ]);
    expect(d.warnings.map((w) => [w.code, w.path])).toEqual([['duplicate_edge', 'dag.edges[2]']]);
  });

  it('reports a 3-cycle with its path', () => {
    const d = validateDefinition(
      definition({ a: {}, b: {}, c: {} }, [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
      ]),
    );
    expect(d.errors).toEqual([
      {
        code: 'cycle',
        message: 'cycle: a → b → c → a',
        path: 'dag.edges',
        node_id: 'a',
        cycle: ['a', 'b', 'c', 'a'],
      },
    ]);
    expect(hasErrors(d)).toBe(true);
  });

  it('reports each disjoint cycle', () => {
    const d = validateDefinition(
      definition({ a: {}, b: {}, c: {}, d: {} }, [
        ['a', 'b'],
        ['b', 'a'],
        ['c', 'd'],
        ['d', 'c'],
      ]),
    );
    expect(d.errors.map((e) => e.cycle)).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'c'],
    ]);
  });

  it('checks task and model presence', () => {
    const d = validateDefinition(
      definition({
        none: { task: undefined },
        nomodel: { task: 'fal/text-to-image' },
        builtin: { task: 'local/resize' },
        typo: { task: 'fal/text-to-vidoe', model_id: 'm' },
        alien: { task: 'replicate/run', model_id: 'm' },
      }),
    );
    expect(d.errors.map((e) => [e.code, e.path])).toEqual([
      ['missing_task', 'dag.nodes.none.task'],
      ['missing_model', 'dag.nodes.nomodel.model_id'],
      ['unknown_task', 'dag.nodes.typo.task'],
      ['unknown_task', 'dag.nodes.alien.task'],
    ]);
    expect(d.errors[2]!.message).toContain('fal/text-to-video');
    expect(d.errors[3]!.message).toMatch(/fal\/\*, openai\/\*.*local\/\*/);
  });

  it('reports bad node references in inputs and payload', () => {
    const d = validateDefinition(
      definition(
        {
          a: { inputs: { x: '${nodes.b.result}' } },
          b: {
            payload: {
              self: '${nodes.b.result.v}',
              ghost: 'see ${nodes.nope.result}',
              broken: '${nodes.a}',
              stray: '${item.x}',
            },
          },
        },
        [],
      ),
    );
    expect(d.errors.map((e) => [e.code, e.path])).toEqual([
      ['reference_not_upstream', 'dag.nodes.a.inputs.x'],
      ['invalid_template', 'dag.nodes.b.payload.broken'],
      ['reference_not_upstream', 'dag.nodes.b.payload.self'],
      ['reference_unknown_node', 'dag.nodes.b.payload.ghost'],
      ['invalid_template', 'dag.nodes.b.payload.stray'],
    ]);
    expect(d.errors[0]!.message).toContain('add an edge');
    expect(d.errors[0]!.message).toContain('"from": "b", "to": "a"');
  });

  it('accepts transitive ancestors and item inside $each', () => {
    const d = validateDefinition(
      definition(
        {
          a: {},
          b: {},
          c: {
            inputs: {
              x: '${nodes.a.result}',
              list: { $each: '${nodes.b.result.items}', template: { v: '${item.v}' } },
            },
          },
        },
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
      ),
    );
    expect(d).toEqual({ errors: [], warnings: [], type_issues: [] });
  });

  it('reports references to undeclared outputs as type issues', () => {
    const d = validateDefinition(
      definition(
        {
          gen: { outputs: ['video.url', 'seed'] },
          use: {
            inputs: {
              ok1: '${nodes.gen.result.video.url}',
              ok2: '${nodes.gen.result.video}',
              ok3: '${nodes.gen.result}',
              ok4: '${nodes.gen.result.video.url.length}',
              bad: '${nodes.gen.result.video.urls}',
              bad2: '${nodes.gen.result.images[0]}',
            },
          },
        },
        [['gen', 'use']],
      ),
    );
    expect(d.errors).toEqual([]);
    expect(d.type_issues.map((t) => [t.code, t.path])).toEqual([
      ['unknown_output', 'dag.nodes.use.inputs.bad'],
      ['unknown_output', 'dag.nodes.use.inputs.bad2'],
    ]);
    expect(d.type_issues[0]!.message).toContain('video.urls');
  });

  it('warns once per undeclared input and not for declared ones', () => {
    const d = validateDefinition(
      definition(
        { a: { inputs: { x: '${input.a} ${input.b}' } }, b: { inputs: { y: '${input.b}' } } },
        [],
        { input_params: { a: { type: 'string' } } },
      ),
    );
    expect(d.warnings.map((w) => [w.code, w.path])).toEqual([
      ['undeclared_input', 'dag.nodes.a.inputs.x'],
    ]);
    expect(d.warnings[0]!.message).toContain("'b'");
  });
});
