/**
 * Installs the Temporal SDK's process-wide runtime once: its logs go through pino, and it does
 * not catch signals itself, so our shutdown order (API, workers, servers) holds.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logger';

let installed = false;

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  // The SDK's INFO lines (worker state changes) are debug-level noise for a Skein operator.
  const level = logger.isLevelEnabled('debug') ? 'DEBUG' : 'WARN';
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(level, (entry) => {
      sdkLogger[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
  });
}
