/**
 * The embedded Temporal dev server `npm start` runs when no TEMPORAL_ADDRESS is given: the
 * official `temporal` CLI, its state kept in a SQLite file so runs survive a restart. The CLI is
 * taken from TEMPORAL_CLI_PATH or PATH; without one the Temporal SDK downloads it (internet).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from './logger';

export interface TemporalServerOptions {
  dbFile: string;
  port: number;
  uiPort: number;
  cliPath?: string;
  logger: Logger;
}

export interface RunningTemporalServer {
  address: string;
  /** Stops the server; its database file stays for the next start. */
  stop(): Promise<void>;
}

/** Finds the `temporal` CLI: explicit path first, then PATH. */
export function findTemporalCli(explicit?: string): string | undefined {
  const candidates = explicit ? [explicit] : ['temporal'];
  for (const cmd of candidates) {
    const probe = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return cmd;
  }
  return undefined;
}

export async function startTemporalServer(
  opts: TemporalServerOptions,
): Promise<RunningTemporalServer> {
  mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  const cli = findTemporalCli(opts.cliPath);
  if (!cli) return startDownloadedServer(opts);
  const address = `127.0.0.1:${opts.port}`;
  const child = spawn(
    cli,
    [
      'server',
      'start-dev',
      '--db-filename',
      opts.dbFile,
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      '--log-level',
      'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) =>
    opts.logger.warn({ temporal: chunk.toString().trim() }),
  );
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  await waitUntilServing(address, child);
  opts.logger.info({ address, ui: `http://127.0.0.1:${opts.uiPort}` }, 'Temporal dev server ready');
  return {
    address,
    async stop() {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    },
  };
}

/** Waits until the frontend answers, failing fast if the process dies (e.g. port taken). */
export async function waitUntilServing(address: string, child?: ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `Temporal dev server exited with code ${child.exitCode} (is ${address} in use?)`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`Temporal at ${address} not ready: ${String(err)}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startDownloadedServer(opts: TemporalServerOptions): Promise<RunningTemporalServer> {
  opts.logger.warn('Temporal CLI not found on PATH; letting the Temporal SDK download it');
  // Loaded lazily: only this fallback needs the testing package's server manager.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      dbFilename: opts.dbFile,
      ip: '127.0.0.1',
      port: opts.port,
      ui: true,
      uiPort: opts.uiPort,
      executable: { type: 'cached-download' },
    },
  });
  return { address: `127.0.0.1:${opts.port}`, stop: () => env.teardown() };
}
