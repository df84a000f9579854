/** /api/workflows against real PostgreSQL over real HTTP: create, read, version, delete. */
import { PROMPT_TO_VIDEO, promptToVideo } from './fixtures';
import { startTestServer, type Json, type TestServer } from './server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  expect(server.statuses).not.toContain(500);
  await server.close();
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function withTaskTypes(dag: Json): Json {
  const nodes = Object.entries(dag.nodes as Record<string, Json>).map(([id, node]) => [
    id,
    { ...node, type: 'task' },
  ]);
  return { ...dag, nodes: Object.fromEntries(nodes) };
}

async function create(body: Json = PROMPT_TO_VIDEO): Promise<Json> {
  const res = await server.request('POST', '/api/workflows', body);
  expect(res.status).toBe(201);
  return res.body.workflow;
}

describe('POST /api/workflows', () => {
  it('creates Prompt to Video as version 1 and warns about the undeclared prompt input', async () => {
    const res = await server.request('POST', '/api/workflows', PROMPT_TO_VIDEO);

    expect(res.status).toBe(201);
    const { workflow, diagnostics } = res.body;
    expect(workflow).toEqual({
      id: expect.stringMatching(/^wf_[0-9A-Za-z]{20}$/),
      organization_id: 'org_local',
      name: 'Prompt to Video',
      description: 'Enhance a prompt with an LLM, then generate a video from it',
      version: 1,
      // Stored in canonical form: nodes without `type` are task nodes.
      dag: withTaskTypes(PROMPT_TO_VIDEO.dag),
      settings: {},
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(diagnostics).toEqual({ type_issues: expect.any(Array), warnings: expect.any(Array) });
    expect(diagnostics.warnings).toContainEqual(
      expect.objectContaining({
        code: 'undeclared_input',
        node_id: 'enhance',
        message: expect.stringContaining("'prompt'"),
      }),
    );
  });

  it('stores the workflow and version 1 rows in the local organization', async () => {
    const { id } = await create();
    const row = await server.db.workflow.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      organization_id: 'org_local',
      current_version: 1,
      deleted_at: null,
    });
    const version = await server.db.workflowVersion.findUniqueOrThrow({
      where: { workflow_id_version: { workflow_id: id, version: 1 } },
    });
    expect(version.definition).toMatchObject({ name: 'Prompt to Video', dag: PROMPT_TO_VIDEO.dag });
  });
});

describe('GET /api/workflows/:id', () => {
  it('returns the workflow with its diagnostics', async () => {
    const created = await create();
    const res = await server.request('GET', `/api/workflows/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body.workflow).toEqual(created);
    expect(res.body.diagnostics.warnings).toContainEqual(
      expect.objectContaining({ code: 'undeclared_input' }),
    );
  });

  it('answers 404 naming an unknown workflow', async () => {
    const res = await server.request('GET', '/api/workflows/wf_doesnotexist0000000');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      code: 'not_found',
      message: 'workflow wf_doesnotexist0000000 not found',
    });
  });

  it('rejects a malformed id with 400 instead of querying it', async () => {
    const res = await server.request('GET', '/api/workflows/wf%00x');
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ path: 'id', message: expect.any(String) }]);
    const odd = await server.request('GET', '/api/workflows/wf.x');
    expect(odd.status).toBe(400);
    expect(odd.body.error.fields).toEqual([{ path: 'id', message: 'malformed id' }]);
  });

  it('rejects a non-numeric version', async () => {
    const { id } = await create();
    const res = await server.request('GET', `/api/workflows/${id}?version=abc`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].path).toBe('version');
  });
});

describe('PUT /api/workflows/:id', () => {
  it('appends version 2 while ?version=1 still returns the old DAG', async () => {
    const v1 = await create();
    const changed = promptToVideo();
    changed.name = 'Prompt to Video (slow)';
    changed.dag.nodes.generate_video.inputs.fps = 8;
    changed.settings = { timeout_s: 600, input_params: { prompt: { type: 'string' } } };

    const put = await server.request('PUT', `/api/workflows/${v1.id}`, changed);
    expect(put.status).toBe(200);
    expect(put.body.workflow).toMatchObject({
      id: v1.id,
      version: 2,
      name: 'Prompt to Video (slow)',
      settings: changed.settings,
      created_at: v1.created_at,
    });
    // The input is declared now, so the warning is gone.
    expect(put.body.diagnostics.warnings).not.toContainEqual(
      expect.objectContaining({ code: 'undeclared_input' }),
    );

    const current = await server.request('GET', `/api/workflows/${v1.id}`);
    expect(current.body.workflow.version).toBe(2);
    expect(current.body.workflow.dag.nodes.generate_video.inputs.fps).toBe(8);

    const old = await server.request('GET', `/api/workflows/${v1.id}?version=1`);
    expect(old.status).toBe(200);
    expect(old.body.workflow).toMatchObject({ version: 1, name: 'Prompt to Video', dag: v1.dag });

    const missing = await server.request('GET', `/api/workflows/${v1.id}?version=3`);
    expect(missing.status).toBe(404);
  });

  it('gives concurrent PUTs distinct versions', async () => {
    const { id } = await create();
    const puts = await Promise.all(
      [1, 2, 3, 4].map(() => server.request('PUT', `/api/workflows/${id}`, PROMPT_TO_VIDEO)),
    );
    expect(puts.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(puts.map((r) => r.body.workflow.version).sort()).toEqual([2, 3, 4, 5]);
  });

  it('keeps the current version when the new definition is invalid', async () => {
    const { id } = await create();
    const bad = promptToVideo();
    bad.dag.edges.push({ from: 'generate_video', to: 'enhance' });
    const put = await server.request('PUT', `/api/workflows/${id}`, bad);
    expect(put.status).toBe(422);
    const get = await server.request('GET', `/api/workflows/${id}`);
    expect(get.body.workflow.version).toBe(1);
  });

  it('answers 404 for an unknown workflow', async () => {
    const res = await server.request('PUT', '/api/workflows/wf_unknown', PROMPT_TO_VIDEO);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('DELETE /api/workflows/:id', () => {
  it('soft-deletes: 204, then 404 on GET, PUT and a second DELETE', async () => {
    const { id } = await create();
    const del = await server.request('DELETE', `/api/workflows/${id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');

    expect((await server.request('GET', `/api/workflows/${id}`)).status).toBe(404);
    expect((await server.request('PUT', `/api/workflows/${id}`, PROMPT_TO_VIDEO)).status).toBe(404);
    expect((await server.request('DELETE', `/api/workflows/${id}`)).status).toBe(404);

    const row = await server.db.workflow.findUniqueOrThrow({ where: { id } });
    expect(row.deleted_at).toBeInstanceOf(Date);
  });
});
