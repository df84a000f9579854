import {
  TemplateError,
  findReferences,
  formatPath,
  parsePath,
  parseReference,
  resolveTemplates,
  scanTemplates,
  type TemplateScope,
} from '../../../workflows/definition/template';

const scope: TemplateScope = {
  input: { prompt: 'a cat', count: 3, flag: false, tags: ['x', 'y'], cfg: { a: { b: [10, 20] } } },
  nodes: {
    enhance: { result: { choices: [{ message: { content: 'a fluffy cat' } }] } },
    empty: { result: null },
  },
};

/** The TemplateError thrown by `fn`, failing the test when nothing or something else is thrown. */
function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('parseReference', () => {
  it('parses the three roots with dotted and indexed paths', () => {
    expect(parseReference('input.x.y[0]')).toEqual({ root: 'input', path: ['x', 'y', 0] });
    expect(parseReference('nodes.enhance.result.choices[0].message.content')).toEqual({
      root: 'nodes',
      nodeId: 'enhance',
      path: ['choices', 0, 'message', 'content'],
    });
    expect(parseReference('nodes.gen-video.result')).toEqual({
      root: 'nodes',
      nodeId: 'gen-video',
      path: [],
    });
    expect(parseReference('item')).toEqual({ root: 'item', path: [] });
    expect(parseReference(' item.role ')).toEqual({ root: 'item', path: ['role'] });
  });

  it.each([
    ['', 'empty reference'],
    ['input', 'expected input.<name>'],
    ['nodes.enhance', 'expected nodes.<id>.result'],
    ['nodes.enhance.output.x', 'expected nodes.<id>.result'],
    ['env.HOME', "unknown root 'env'"],
    ['input.x[abc]', 'expected an index'],
    ['input.x..y', 'expected a name'],
    ['input.x y', "unexpected ' '"],
  ])('rejects %j', (expr, reason) => {
    const error = templateError(() => parseReference(expr));
    expect(error.name).toBe('TemplateError');
    expect(error.message).toContain(`\${${expr}}`);
    expect(error.message).toContain(reason);
  });
});

describe('parsePath / formatPath', () => {
  it('round-trips dotted and indexed paths', () => {
    expect(parsePath('choices[0].message.content')).toEqual(['choices', 0, 'message', 'content']);
    expect(formatPath(['choices', 0, 'message', 'content'])).toBe('choices[0].message.content');
    expect(formatPath([0, 'a b'], 'x')).toBe('x[0]["a b"]');
  });
});

describe('resolveTemplates', () => {
  it('keeps the type of a value referenced by an exact template', () => {
    const resolved = resolveTemplates(
      {
        n: '${input.count}',
        b: '${input.flag}',
        list: '${input.tags}',
        obj: '${input.cfg.a}',
        deep: '${input.cfg.a.b[1]}',
        nil: '${nodes.empty.result}',
        whole: '${nodes.enhance.result}',
      },
      scope,
    );
    expect(resolved).toEqual({
      n: 3,
      b: false,
      list: ['x', 'y'],
      obj: { b: [10, 20] },
      deep: 20,
      nil: null,
      whole: scope.nodes.enhance!.result,
    });
  });

  it('interpolates templates inside text', () => {
    const text = 'Make ${input.prompt} x${input.count} ${input.flag} ${input.tags} ${input.cfg.a}.';
    expect(resolveTemplates(text, scope)).toBe('Make a cat x3 false ["x","y"] {"b":[10,20]}.');
    expect(resolveTemplates('[${nodes.empty.result}]', scope)).toBe('[]');
    expect(resolveTemplates('${input.prompt}${input.count}', scope)).toBe('a cat3');
  });

  it('walks nested objects and arrays and leaves non-strings alone', () => {
    const value = { a: [{ b: '${nodes.enhance.result.choices[0].message.content}' }, 7, null] };
    expect(resolveTemplates(value, scope)).toEqual({ a: [{ b: 'a fluffy cat' }, 7, null] });
  });

  it('turns $${ into a literal ${ and leaves lone dollars alone', () => {
    expect(resolveTemplates('cost $5 $${input.prompt}', scope)).toBe('cost $5 ${input.prompt}');
    expect(resolveTemplates('$${input.nope}', scope)).toBe('${input.nope}');
  });

  it('expands a $each array element inline, binding item', () => {
    const input = {
      history: [
        { role: 'system', text: 'be brief' },
        { role: 'user', text: 'hi' },
      ],
    };
    const messages = [
      { role: 'system', content: 'first' },
      { $each: '${input.history}', template: { role: '${item.role}', content: '${item.text}!' } },
      { role: 'user', content: 'last' },
    ];
    expect(resolveTemplates(messages, { ...scope, input })).toEqual([
      { role: 'system', content: 'first' },
      { role: 'system', content: 'be brief!' },
      { role: 'user', content: 'hi!' },
      { role: 'user', content: 'last' },
    ]);
  });

  it('resolves a $each block outside an array to the array of copies', () => {
    const value = { urls: { $each: '${input.tags}', template: 'https://x/${item}.png' } };
    expect(resolveTemplates(value, scope)).toEqual({
      urls: ['https://x/x.png', 'https://x/y.png'],
    });
  });

  it('rejects a $each over something that is not an array', () => {
    const error = templateError(() =>
      resolveTemplates({ $each: '${input.prompt}', template: 1 }, scope),
    );
    expect(error.message).toBe('$each ${input.prompt} is a string, expected an array');
  });

  it('names the expression and the missing segment when a value is undefined', () => {
    const expr = '${nodes.enhance.result.choices[3].message}';
    expect(templateError(() => resolveTemplates(expr, scope)).message).toBe(
      `${expr} : choices[3] is undefined`,
    );
    expect(templateError(() => resolveTemplates('Say ${input.missing}', scope)).message).toBe(
      '${input.missing} : input.missing is undefined',
    );
    expect(templateError(() => resolveTemplates('${nodes.later.result}', scope)).message).toBe(
      '${nodes.later.result} : node later has no result yet',
    );
    expect(templateError(() => resolveTemplates('${nodes.empty.result.x}', scope)).message).toBe(
      '${nodes.empty.result.x} : nodes.empty.result is null, so x is undefined',
    );
  });

  it('does not reach inherited properties', () => {
    const error = templateError(() => resolveTemplates('${input.prompt.constructor}', scope));
    expect(error.message).toContain('input.prompt is a string');
    expect(() => resolveTemplates('${input.cfg.constructor}', scope)).toThrow(
      'input.cfg.constructor is undefined',
    );
  });

  it('rejects an unterminated template', () => {
    expect(() => resolveTemplates('oops ${input.prompt', scope)).toThrow('unterminated');
  });
});

describe('findReferences / scanTemplates', () => {
  it('lists each reference with its location in the value', () => {
    const value = {
      inputs: {
        messages: [
          { role: 'system', content: 'fixed' },
          { role: 'user', content: 'Use ${input.prompt} and ${nodes.a.result.text}' },
        ],
        list: { $each: '${input.tags}', template: '${item}' },
      },
    };
    const refs = findReferences(value);
    expect(refs.map((r) => [r.path, r.expr, r.inEach])).toEqual([
      ['inputs.messages[1].content', 'input.prompt', false],
      ['inputs.messages[1].content', 'nodes.a.result.text', false],
      ['inputs.list.$each', 'input.tags', false],
      ['inputs.list.template', 'item', true],
    ]);
    expect(refs[1]!.ref).toEqual({ root: 'nodes', nodeId: 'a', path: ['text'] });
  });

  it('reports syntax problems at their location and keeps scanning', () => {
    const { references, problems } = scanTemplates(
      { a: '${bogus.x}', b: ['${input.ok}'], c: { $each: 'not a ref', template: 1 } },
      'dag.nodes.n.inputs',
    );
    expect(references.map((r) => r.path)).toEqual(['dag.nodes.n.inputs.b[0]']);
    expect(problems).toEqual([
      { path: 'dag.nodes.n.inputs.a', message: expect.stringContaining("unknown root 'bogus'") },
      { path: 'dag.nodes.n.inputs.c', message: expect.stringContaining('exactly one') },
    ]);
  });
});
