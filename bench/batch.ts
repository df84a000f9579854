/**
 * Batch throughput bench (not a test):
 *
 *   npx tsx bench/batch.ts [--items 1000] [--concurrency 50] [--no-pause] [--no-baseline]
 *
 * Runs one Skein batch of N items of a three-step pipeline of built-in `pick` steps (an instant
 * provider: the numbers are orchestration cost only) on a fresh Temporal dev server and a fresh
 * database on the PostgreSQL at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/
 * postgres): the API in this process, the worker in a process of its own (`worker/main.ts` on a
 * prebuilt bundle, as deployed) whose peak RSS is reported. Then, on the same server, from this
 * process, the same shape written directly against Temporal (bench/bare-workflows.ts) as the
 * baseline. Prints items/s, the largest workflow histories and peak RSS; unless `--no-pause`,
 * also how soon a pause sent at 30% holds and how long reading the batch's counts takes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { startApi } from '../api/server';
import { loadConfig } from '../runtime/config';
import { createLogger, type Logger } from '../runtime/logger';
import { migrate } from '../runtime/migrate';
import { createTemporalClient } from '../runtime/temporal-client';
import { startTemporalServer } from '../runtime/temporal-server';
import { freePort } from '../test/helpers/ports';
import { runBareFanOut, type RunResult } from './bare-run';
import { machine, maxHistoryOf, runHistoryLengths, sample } from './measure';
import { describePause, probePause, ReadTimer, type ReadBatch } from './pause-probe';
import { prebuildBundle, spawnWorker } from './worker-process';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Item workflows whose history is measured (all of them up to this many). */
const HISTORY_SAMPLE = 500;

const PIPELINE = {
  name: 'bench: three pick steps',
  dag: {
    nodes: {
      s1: { task: 'pick', payload: { source: '${input.words}', indices: [0, 1, 2] } },
      s2: { task: 'pick', payload: { source: '${nodes.s1.result.items}', indices: [0, 1] } },
      s3: { task: 'pick', payload: { source: '${nodes.s2.result.items}', indices: [0] } },
    },
    edges: [
      { from: 's1', to: 's2' },
      { from: 's2', to: 's3' },
    ],
  },
  settings: { input_params: { words: { type: 'array', required: true } } },
};

interface Args {
  items: number;
  concurrency: number;
  pause: boolean;
  baseline: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string, fallback: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return {
    items: value('--items', 1000),
    concurrency: value('--concurrency', 50),
    pause: !argv.includes('--no-pause'),
    baseline: !argv.includes('--no-baseline'),
  };
}

async function freshDatabase() {
  const name = `skein_bench_${randomBytes(4).toString('hex')}`;
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const c = new PgClient({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function api(base: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!res.ok)
    throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The Skein batch: API here, worker in its own process, measured end to end through the API. */
async function runSkein(
  args: Args,
  temporalAddress: string,
  home: string,
  logger: Logger,
): Promise<RunResult> {
  const database = await freshDatabase();
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    SKEIN_HOME: home,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: 'bench-skein',
    DATABASE_URL: database.url,
    HEARTBEAT_TIMEOUT_S: '10',
    LOG_LEVEL: 'warn',
    SKEIN_WORKFLOW_BUNDLE: await prebuildBundle(home),
  };
  const config = loadConfig(env);
  const endpoints = { temporalAddress, databaseUrl: database.url };
  const worker = spawnWorker(env);
  const server = await startApi(config, endpoints, logger);
  const temporal = await createTemporalClient(config, temporalAddress);
  try {
    const { workflow } = await api(server.url, 'POST', '/api/workflows', PIPELINE);
    const items = Array.from({ length: args.items }, (_, i) => ({ words: [`w${i}`, 'b', 'c'] }));
    const started = Date.now();
    const { batch } = await api(server.url, 'POST', `/api/workflows/${workflow.id}/batches`, {
      items,
      max_concurrency: args.concurrency,
    });
    const createdMs = Date.now() - started;
    const reads = new ReadTimer();
    const get = async () => (await api(server.url, 'GET', `/api/batches/${batch.id}`)).batch;
    const read = progressReader(reads.wrap(get), started, worker.memory);
    const control = async (action: string) => {
      await api(server.url, 'POST', `/api/batches/${batch.id}/${action}`);
    };
    const pause = args.pause ? await probePause(read, control, args.items) : undefined;
    const done = await waitForBatch(read);
    // The hold is time the bench asked to stand still: it is not the engine's.
    const seconds = (Date.now() - started - (pause?.holdMs ?? 0)) / 1000;
    const peakRssMiB = worker.memory().peak;
    if (done.counts.completed !== args.items)
      throw new Error(`not all completed: ${JSON.stringify(done.counts)}`);
    const batchRuns = await runHistoryLengths(temporal, batch.id);
    const itemIds = await itemIdsOf(database.url, batch.id);
    const itemMax = await maxHistoryOf(temporal, sample(itemIds, HISTORY_SAMPLE));
    return {
      seconds,
      itemsPerSecond: args.items / seconds,
      peakRssMiB,
      parentRuns: batchRuns,
      maxItemHistory: itemMax,
      sampled: Math.min(itemIds.length, HISTORY_SAMPLE),
      note:
        `POST /batches took ${createdMs} ms; GET /batches/:id ${reads.summary()}` +
        (pause ? `; ${describePause(pause)}` : ''),
    };
  } finally {
    await server.stop();
    await worker.stop();
    await temporal.connection.close();
    await database.drop();
  }
}

/** Reads the batch, printing its progress every 10 s whoever is reading (pause probe or wait). */
function progressReader(read: ReadBatch, started: number, memory: () => { rss: number }) {
  let lastLog = 0;
  return async () => {
    const batch = await read();
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const secs = Math.round((Date.now() - started) / 1000);
      const { completed, running, pending, paused } = batch.counts;
      console.log(
        `  [${secs}s] completed ${completed}, running ${running}, paused ${paused}, ` +
          `pending ${pending}; worker RSS ${memory().rss} MiB`,
      );
    }
    return batch;
  };
}

async function waitForBatch(read: ReadBatch) {
  for (;;) {
    const batch = await read();
    if (batch.finished_at) return batch;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function itemIdsOf(databaseUrl: string, batchId: string): Promise<string[]> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const res = await pg.query<{ id: string }>(
      'SELECT id FROM executions WHERE batch_id = $1 ORDER BY batch_index',
      [batchId],
    );
    return res.rows.map((r) => r.id);
  } finally {
    await pg.end();
  }
}

function print(label: string, args: Args, r: RunResult) {
  console.log(
    `${label}: ${args.items} items, concurrency ${args.concurrency}: ${r.seconds.toFixed(1)} s, ` +
      `${r.itemsPerSecond.toFixed(1)} items/s, peak RSS ${r.peakRssMiB} MiB, ` +
      `parent runs ${r.parentRuns.length} (max history ${Math.max(...r.parentRuns)} events), ` +
      `max item history ${r.maxItemHistory} events (${r.sampled} sampled)` +
      (r.note ? `; ${r.note}` : ''),
  );
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // 'error': the dev server's stderr (logged at warn) is noisy under load.
  const logger = createLogger('error', 'bench');
  // The dev server's SQLite file on tmpfs when there is one: on a VM disk its fsyncs dominate.
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const home = mkdtempSync(path.join(scratch, 'skein-bench-'));
  const server = await startTemporalServer({
    dbFile: path.join(home, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    logger,
  });
  try {
    console.log(`machine: ${machine()}`);
    const skein = await runSkein(args, server.address, home, logger);
    print('skein batch (worker process RSS)', args, skein);
    if (args.baseline) {
      const bare = await runBareFanOut(args, server.address);
      print('bare Temporal fan-out (bench process RSS)', args, bare);
      console.log(
        `ratio skein/bare items/s: ${(skein.itemsPerSecond / bare.itemsPerSecond).toFixed(2)}`,
      );
    }
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
