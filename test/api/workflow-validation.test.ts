/** Bad definitions: shape errors are 400s naming the field, graph errors 422 diagnostics. */
import { promptToVideo, simpleWorkflow } from './fixtures';
import { startTestServer, type Json, type TestServer } from './server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  expect(server.statuses).not.toContain(500);
  // Nothing invalid was stored.
  expect(await server.db.workflow.count()).toBe(0);
  await server.close();
});

function post(body: unknown, headers?: Record<string, string>) {
  return server.request('POST', '/api/workflows', body, headers);
}

/** Prompt to Video with `edit` applied. */
function broken(edit: (body: Json) => void): Json {
  const body = promptToVideo();
  edit(body);
  return body;
}

describe('400 validation_error', () => {
  it.each<[string, Json, string]>([
    ['an edge without `to`', broken((b) => delete b.dag.edges[0].to), 'dag.edges[0].to'],
    ['an empty name', broken((b) => (b.name = '')), 'name'],
    ['a blank name', broken((b) => (b.name = '   ')), 'name'],
    ['nodes that are not an object', broken((b) => (b.dag.nodes = [])), 'dag.nodes'],
    ['no nodes at all', broken((b) => (b.dag.nodes = {})), 'dag.nodes'],
    [
      'a retry policy out of range',
      broken((b) => (b.dag.nodes.enhance.retry = { max_attempts: 0 })),
      'dag.nodes.enhance.retry.max_attempts',
    ],
    [
      'an unknown field',
      broken((b) => (b.dag.nodes.enhance.modle = 'x')),
      'dag.nodes.enhance.modle',
    ],
    ['a node id with a space', broken((b) => (b.dag.nodes['bad id'] = {})), 'dag.nodes.bad id'],
    ['a body that is an array', [], '(root)'],
    ['a NUL character', broken((b) => (b.name = 'a\u0000b')), 'name'],
    [
      'a lone surrogate in an input',
      broken((b) => (b.dag.nodes.enhance.inputs.x = '\ud800')),
      'dag.nodes.enhance.inputs.x',
    ],
  ])('names the field for %s', async (_case, body, path) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', message: expect.any(String) });
    expect(res.body.error.fields).toContainEqual({ path, message: expect.any(String) });
    expect(res.body.error.message).toContain(path);
  });

  it('rejects nesting too deep to store', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    const res = await post(broken((b) => (b.dag.nodes.enhance.inputs.deep = deep)));
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].message).toMatch(/nested deeper/);
  });

  it('rejects hostile nesting (a million levels) without overflowing the stack', async () => {
    const raw = `{"name": "x", "dag": ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    const res = await post(raw);
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toEqual({
      path: 'dag' + '[0]'.repeat(63),
      message: 'nested deeper than 64 levels',
    });
  });

  it('asks for JSON when the content type is not JSON', async () => {
    const res = await post(JSON.stringify(simpleWorkflow('x')), { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.message).toMatch(/application\/json/);
  });
});

describe('400 invalid_json', () => {
  it.each([
    ['truncated JSON', '{"name": "x", "dag": {'],
    ['a bare string', '"just a string"'],
  ])('rejects %s', async (_case, raw) => {
    const res = await post(raw);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });
});

it('answers 413 for a body over 5 MB', async () => {
  const body = simpleWorkflow('big');
  body.description = 'x'.repeat(6 * 1024 * 1024);
  const res = await post(body);
  expect(res.status).toBe(413);
  expect(res.body.error.code).toBe('payload_too_large');
});

describe('422 invalid_dag', () => {
  async function expectDiagnostic(body: Json, expected: Json) {
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_dag', message: expect.any(String) });
    expect(res.body.error.diagnostics.errors).toContainEqual(expect.objectContaining(expected));
    return res.body.error;
  }

  it('reports a cycle with its path', async () => {
    const error = await expectDiagnostic(
      broken((b) => b.dag.edges.push({ from: 'generate_video', to: 'enhance' })),
      { code: 'cycle' },
    );
    const cycle = error.diagnostics.errors.find((d: Json) => d.code === 'cycle');
    expect(cycle.cycle).toHaveLength(3);
    expect(cycle.cycle[0]).toBe(cycle.cycle[2]);
    expect(new Set(cycle.cycle)).toEqual(new Set(['enhance', 'generate_video']));
    expect(error.message).toContain('cycle');
  });

  it('reports an edge to a missing node', async () => {
    await expectDiagnostic(
      broken((b) => b.dag.edges.push({ from: 'enhance', to: 'upscale' })),
      { code: 'unknown_node', path: 'dag.edges[1].to' },
    );
  });

  it('reports a node without a task', async () => {
    await expectDiagnostic(
      broken((b) => delete b.dag.nodes.enhance.task),
      { code: 'missing_task', node_id: 'enhance', path: 'dag.nodes.enhance.task' },
    );
  });

  it('reports a model task without a model', async () => {
    await expectDiagnostic(
      broken((b) => delete b.dag.nodes.generate_video.model_id),
      { code: 'missing_model', node_id: 'generate_video' },
    );
  });

  it('reports an unknown task', async () => {
    await expectDiagnostic(
      broken((b) => (b.dag.nodes.generate_video.task = 'fal/text-to-hologram')),
      { code: 'unknown_task', node_id: 'generate_video' },
    );
  });

  it('reports a reference to a node that is not upstream', async () => {
    await expectDiagnostic(
      broken((b) => (b.dag.edges = [])),
      {
        code: 'reference_not_upstream',
        node_id: 'generate_video',
        path: expect.stringContaining('dag.nodes.generate_video.inputs.prompt'),
      },
    );
  });
});
