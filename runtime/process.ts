/** Process lifecycle shared by the entry points: endpoints, migrations, Ctrl-C handling. */
import type { Config } from './config';
import type { Logger } from './logger';
import { migrate } from './migrate';
import type { Endpoints } from './service';
import { temporalAddress } from './temporal-client';

/** The embedded PostgreSQL's URL, which `npm run api|worker` fall back to when DATABASE_URL is unset. */
export function embeddedDatabaseUrl(config: Config): string {
  return `postgresql://postgres:skein@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/skein`;
}

/** Endpoints for a single role: configured ones, else those a running `npm start` serves. */
export function defaultEndpoints(config: Config): Endpoints {
  return {
    temporalAddress: temporalAddress(config),
    databaseUrl: config.DATABASE_URL ?? embeddedDatabaseUrl(config),
  };
}

export async function applyMigrations(databaseUrl: string, logger: Logger): Promise<void> {
  const applied = await migrate(databaseUrl);
  if (applied.length > 0) logger.info({ applied }, 'database migrations applied');
}

/**
 * A signal repeated within this long after the first is the same Ctrl-C delivered twice: the
 * terminal signals the whole process group, and a wrapper (npm, a process manager) may relay the
 * same signal again.
 */
const REPEAT_WINDOW_MS = 1000;

/**
 * Runs `shutdown` once on SIGINT/SIGTERM; a second signal (a deliberate second Ctrl-C, not the
 * duplicate delivery of the first) exits at once.
 */
export function handleShutdown(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      if (Date.now() - stopping < REPEAT_WINDOW_MS) return;
      logger.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = Date.now();
    logger.info({ signal }, 'shutting down');
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
