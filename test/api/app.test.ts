/** The app shell: health check, OpenAPI document, assets, unknown routes. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import pino from 'pino';
import { startTestServer, type TestServer } from './server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  expect(server.statuses).not.toContain(500);
  await server.close();
});

it('GET /healthz answers ok', async () => {
  const res = await server.request('GET', '/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ ok: true });
});

it('GET /openapi.json documents the workflow paths (OpenAPI 3.1)', async () => {
  const res = await server.request('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  expect(Object.keys(res.body.paths)).toEqual(
    expect.arrayContaining(['/api/workflows', '/api/workflows/{id}']),
  );
  expect(Object.keys(res.body.paths['/api/workflows/{id}'])).toEqual(
    expect.arrayContaining(['get', 'put', 'delete']),
  );
  expect(res.body.components.schemas).toHaveProperty('WorkflowDefinition');
  expect(res.body.components.schemas).toHaveProperty('Error');
  const list = res.body.paths['/api/workflows'].get;
  expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor']);
});

describe('/assets', () => {
  it('serves a written file with immutable caching', async () => {
    const dir = path.join(server.config.ASSETS_DIR, 'ex_1');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'frame.png'), Buffer.from('not really a png'));

    const res = await server.request('GET', '/assets/ex_1/frame.png');
    expect(res.status).toBe(200);
    expect(res.text).toBe('not really a png');
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toMatch(/immutable/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    '/assets/missing.png',
    '/assets/../package.json',
    '/assets/%2e%2e/package.json',
    '/assets/',
  ])('answers JSON 404 for %s', async (url) => {
    const res = await server.request('GET', url);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

it('answers JSON 404 for unknown routes', async () => {
  const res = await server.request('GET', '/api/nope');
  expect(res.status).toBe(404);
  expect(res.body).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/nope' } });
});

it('answers 400 for an undecodable path parameter', async () => {
  const res = await server.request('GET', '/api/workflows/%E0%A4%A');
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBeDefined();
});

describe('unexpected errors', () => {
  it('answer a generic 500, log the error, and extra routers mount under /api', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const router = Router();
    router.get('/boom', () => {
      throw new Error('secret internals');
    });
    router.get('/fine', (_req, res) => {
      res.json({ fine: true });
    });
    const other = await startTestServer({ logger, routers: [router] });
    try {
      expect((await other.request('GET', '/api/fine')).body).toEqual({ fine: true });
      const res = await other.request('GET', '/api/boom');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: { code: 'internal_error', message: 'internal server error' },
      });
      expect(res.text).not.toContain('secret');
      const logged = lines.map((line) => JSON.parse(line));
      expect(logged).toContainEqual(
        expect.objectContaining({ err: expect.objectContaining({ message: 'secret internals' }) }),
      );
    } finally {
      await other.close();
    }
  });
});
