/**
 * Process configuration, read once from the environment. Every setting has a default that works
 * on a developer machine; unset TEMPORAL_ADDRESS / DATABASE_URL mean "start embedded ones".
 */
import path from 'node:path';
import { z } from 'zod';

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Base URL clients use to reach the API; asset URLs are built from it. */
  PUBLIC_URL: z.string().url().optional(),
  SKEIN_HOME: z.string().default('.skein'),
  ASSETS_DIR: z.string().optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('skein'),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_PORT: z.coerce.number().int().default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().default(8233),
  DATABASE_URL: z.string().optional(),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().default(54329),
  FAL_QUEUE_URL: z.string().url().default('https://queue.fal.run'),
  FAL_KEY: z.string().optional(),
  FAL_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  /** A task attempt that stops heartbeating this long is presumed lost and retried elsewhere. */
  HEARTBEAT_TIMEOUT_S: z.coerce.number().positive().default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema> & { ASSETS_DIR: string; PUBLIC_URL: string };

/** Parses the environment; throws a readable error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  return {
    ...c,
    ASSETS_DIR: path.resolve(c.ASSETS_DIR ?? path.join(c.SKEIN_HOME, 'assets')),
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
