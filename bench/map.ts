/**
 * Map-node scale bench: one map node over N elements (default 5,000) on an instant fake fal
 * queue, through the real API, a worker process, a Temporal dev server and the external
 * PostgreSQL (the one tests use: TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1/test).
 *
 *   npx tsx bench/map.ts --items 5000 [--concurrency 32]
 *
 * Prints elapsed time, elements/s, the largest history among the execution workflow and its
 * chunk workflows, and the worker's peak RSS. The worker runs as its own process (`worker/main.ts`)
 * so its RSS is not mixed with the API's and the fake's. Exits non-zero when a budget is broken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../runtime/logger';
import { startTemporalServer } from '../runtime/temporal-server';
import { startFakeFal } from '../test/fakes/fal-server';
import { request, waitForExecution } from '../test/helpers/http';
import { freePort } from '../test/helpers/ports';
import { startStack } from '../test/helpers/stack';
import { choosePath, splitChunks } from '../workflows/nodes/map/plan';

const HISTORY_BUDGET = 10_000;
const RSS_BUDGET_KB = 1024 * 1024;
const silent = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

async function main() {
  const { values } = parseArgs({
    options: { items: { type: 'string', default: '5000' }, concurrency: { type: 'string' } },
  });
  const count = Number(values.items);
  const concurrency = values.concurrency ? Number(values.concurrency) : undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'skein-bench-'));
  const temporal = await startTemporalServer({
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    logger: createLogger('warn', 'bench'),
  });
  process.env.SKEIN_TEST_TEMPORAL_ADDRESS = temporal.address;
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: silent,
  });
  writeFileSync(bundlePath, code);

  const fal = await startFakeFal();
  const stack = await startStack({
    worker: false,
    env: { FAL_QUEUE_URL: fal.url, FAL_KEY: fal.key, FAL_POLL_INTERVAL_MS: '20' },
  });
  const worker = startWorkerProcess({ ...stack.env, SKEIN_WORKFLOW_BUNDLE: bundlePath });
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const items = Array.from({ length: count }, (_, i) => `prompt ${i}`);
    const node = {
      task: 'fal/text-to-image',
      model_id: 'bench/instant',
      payload: { prompt: '${item}' },
    };
    const map = { type: 'map', items: '${input.items}', node, max_concurrency: concurrency };
    const dag = { nodes: { generate: map } };
    const created = await request(stack.url, 'POST', '/api/workflows', { name: 'bench', dag });
    const started = Date.now();
    const run = await request(
      stack.url,
      'POST',
      `/api/workflows/${created.body.workflow.id}/execute`,
      { input_params: { items } },
    );
    const id = run.body.execution.id as string;
    const idleRssKb = procStatus(worker.pid!, 'VmRSS');
    const done = await waitForExecution(stack.url, id, undefined, 30 * 60_000);
    const elapsedS = (Date.now() - started) / 1000;
    if (done.status !== 'completed') throw new Error(`run ended ${done.status}`);
    const peakRssKb = procStatus(worker.pid!, 'VmHWM');

    const histories = await historyLengths(new Client({ connection }), id, items);
    const maxHistory = Math.max(...histories.map((h) => h.events));
    const figures = {
      items: count,
      max_concurrency: concurrency ?? 'default (32)',
      elapsed_s: Number(elapsedS.toFixed(1)),
      elements_per_s: Number((count / elapsedS).toFixed(1)),
      chunk_workflows: histories.length - 1,
      parent_history_events: histories[0]!.events,
      max_history_events: maxHistory,
      worker_rss_at_start_mb: Math.round(idleRssKb / 1024),
      worker_peak_rss_mb: Math.round(peakRssKb / 1024),
      fal_submissions: fal.submissions.length,
    };
    console.log(JSON.stringify(figures, null, 2));
    const ok = maxHistory < HISTORY_BUDGET && peakRssKb < RSS_BUDGET_KB;
    console.log(ok ? 'within budget' : 'BUDGET EXCEEDED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await connection.close();
    await stopProcess(worker);
    await stack.close();
    await fal.close();
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `worker/main.ts` in a plain node process (tsx as a loader, so the pid is the worker's). */
function startWorkerProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`worker exited with code ${code}`);
  });
  return child;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A `/proc/<pid>/status` field in kB (VmRSS: now, VmHWM: peak since start). */
function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

/** History lengths of the execution workflow, then of every chunk workflow it started. */
async function historyLengths(client: Client, executionId: string, items: unknown[]) {
  const parent = await client.workflow.getHandle(executionId).describe();
  const base = `${executionId}/generate/map-${parent.runId.slice(0, 8)}`;
  const out = [{ workflowId: executionId, events: parent.historyLength }];
  const chunks = choosePath(items.length, 0) === 'chunked' ? splitChunks(items).length : 0;
  for (let i = 0; i < chunks; i++) {
    const chunk = await client.workflow.getHandle(`${base}/${i}`).describe();
    out.push({ workflowId: chunk.workflowId, events: chunk.historyLength });
  }
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
