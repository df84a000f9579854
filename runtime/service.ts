/** A long-running part of a Skein process (API server, worker, embedded server). */
export interface Service {
  /** Resolves when the service stopped, after `stop()` or on its own. */
  done: Promise<void>;
  /** Stops gracefully; safe to call twice. */
  stop(): Promise<void>;
}

/** Where the role processes find Temporal and PostgreSQL. */
export interface Endpoints {
  temporalAddress: string;
  databaseUrl: string;
}
