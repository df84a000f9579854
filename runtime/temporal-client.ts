/** Connections to Temporal for the API (client) and workers (native connection). */
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

/** Address `npm run api` / `npm run worker` use when TEMPORAL_ADDRESS is unset: `npm start`'s. */
export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
}

export async function createTemporalClient(config: Config, address = temporalAddress(config)) {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
