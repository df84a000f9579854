/**
 * `npm start` for real, as a separate process with neither DATABASE_URL nor TEMPORAL_ADDRESS:
 * it runs its own Temporal dev server and embedded PostgreSQL under SKEIN_HOME, migrates, starts
 * a worker and the API. The offline sticker template (docs/examples/sticker.json) runs on it and
 * yields a real PNG; Ctrl-C stops everything with exit code 0; a second start on the same
 * SKEIN_HOME still has the earlier run. (The rest of the suite uses the external PostgreSQL.)
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { request, waitForExecution } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { groupAlive, killGroup, spawnRole, type RoleProcess } from '../helpers/process-group';

const STARTUP_MS = 90_000;

type SkeinProcess = RoleProcess;

let home: string;
let env: Record<string, string>;
let base: string;
const started: SkeinProcess[] = [];

/** `npm start` in its own process group, like a terminal runs it. */
function startSkein(): SkeinProcess {
  const skein = spawnRole('scripts/start.ts', env);
  started.push(skein);
  return skein;
}

/** Temporal and PostgreSQL (same process group) are gone too, within a few seconds. */
async function waitGroupGone(skein: SkeinProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (groupAlive(skein) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(skein)).toBe(false);
}

const logs = (skein: SkeinProcess) => skein.output.join('').slice(-5000);

/** Waits for GET /healthz; fails fast, with the process output, if the process dies. */
async function waitHealthy(skein: SkeinProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (skein.child.exitCode !== null) {
      throw new Error(`npm start exited with ${skein.child.exitCode}:\n${logs(skein)}`);
    }
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`npm start not healthy in time:\n${logs(skein)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Ctrl-C: SIGINT to the whole foreground process group. */
async function interrupt(skein: SkeinProcess, withinMs: number) {
  const at = Date.now();
  killGroup(skein, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    skein.exited,
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), withinMs))),
  ]);
  clearTimeout(timer);
  const ok = result !== 'timeout' && result.code === 0;
  // The output explains a bad exit; it is only shown when there is one.
  return { result, tookMs: Date.now() - at, output: ok ? '' : logs(skein) };
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'skein-embedded-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its data
  // directory inside SKEIN_HOME (mkdtemp makes it 0700); /tmp itself is world-traversable.
  chmodSync(home, 0o755);
  expect(statSync(tmpdir()).mode & 0o001).toBe(0o001);
  const [port, temporalPort, uiPort, pgPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  base = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? home,
    SKEIN_HOME: home,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    EMBEDDED_POSTGRES_PORT: String(pgPort),
    LOG_LEVEL: 'info',
  };
  if (process.env.TEMPORAL_CLI_PATH) env.TEMPORAL_CLI_PATH = process.env.TEMPORAL_CLI_PATH;
  expect(env).not.toHaveProperty('DATABASE_URL');
  expect(env).not.toHaveProperty('TEMPORAL_ADDRESS');
});

afterAll(async () => {
  for (const skein of started) {
    killGroup(skein, 'SIGKILL');
  }
  await Promise.all(started.map((s) => s.exited));
  if (home) rmSync(home, { recursive: true, force: true });
});

let executionId: string;

test(
  'npm start brings up Temporal, PostgreSQL, a worker and the API; the sticker template runs',
  async () => {
    const skein = startSkein();
    await waitHealthy(skein);
    expect(logs(skein)).toContain('embedded PostgreSQL ready');
    expect(logs(skein)).toContain('Temporal dev server ready');

    const sticker = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'docs', 'examples', 'sticker.json'), 'utf8'),
    );
    const created = await request(base, 'POST', '/api/workflows', sticker);
    expect(created.status).toBe(201);
    expect(created.body.diagnostics).toEqual({ type_issues: [], warnings: [] });

    const run = await request(base, 'POST', `/api/workflows/${created.body.workflow.id}/execute`, {
      input_params: { text: 'Hello' },
    });
    expect(run.status).toBe(201);
    executionId = run.body.execution.id;
    const done = await waitForExecution(base, executionId, undefined, 60_000);
    expect(done.status).toBe('completed');
    expect(Object.values(done.nodes).map((n) => (n as { status: string }).status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);

    // The result is a real, transparent 512×512 PNG served by the API.
    const image = done.outputs.sticker.image;
    expect(image).toMatchObject({ width: 512, height: 512, content_type: 'image/png' });
    const res = await fetch(image.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/png/);
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 512, height: 512, hasAlpha: true });
    // Not an empty canvas: the corners are transparent, the middle is not.
    const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({
      resolveWithObject: true,
    });
    const alphaAt = (x: number, y: number) => data[(y * info.width + x) * 4 + 3];
    expect(alphaAt(0, 0)).toBe(0);
    const opaque = Array.from({ length: info.width * info.height }, (_, i) => data[i * 4 + 3]!);
    expect(opaque.filter((a) => a === 255).length).toBeGreaterThan(1000);

    // Ctrl-C stops it all cleanly: exit code 0, and no Temporal or PostgreSQL left behind.
    const stop = await interrupt(skein, 20_000);
    expect(stop).toMatchObject({ result: { code: 0, signal: null }, output: '' });
    expect(stop.tookMs).toBeLessThan(20_000);
    await waitGroupGone(skein);
    expect(logs(skein)).toContain('shutting down');
    expect(logs(skein)).not.toContain('second signal');
  },
  STARTUP_MS + 60_000,
);

test(
  'a second npm start on the same SKEIN_HOME finds the earlier run',
  async () => {
    expect(executionId).toBeDefined();
    const skein = startSkein();
    await waitHealthy(skein);
    const res = await request(base, 'GET', `/api/workflow-executions/${executionId}`);
    expect(res.status).toBe(200);
    expect(res.body.execution).toMatchObject({ id: executionId, status: 'completed' });
    expect(res.body.execution.outputs.sticker.image.url).toMatch(/\/assets\//);
    // Nothing was re-initialised: the database already existed.
    expect(logs(skein)).not.toContain('initialising embedded PostgreSQL');
    const list = await request(base, 'GET', '/api/workflow-executions');
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([executionId]);

    const stop = await interrupt(skein, 20_000);
    expect(stop).toMatchObject({ result: { code: 0, signal: null }, output: '' });
    await waitGroupGone(skein);
  },
  STARTUP_MS + 30_000,
);
