import pino from 'pino';

/** The process logger; one JSON line per event (pipe through `pino-pretty` to read). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'skein') {
  return pino({ name, level });
}

export type Logger = pino.Logger;
