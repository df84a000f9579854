/**
 * Batch statuses, shared by the batch workflow, its activities and the API. Pure module, and
 * free of zod on purpose: every workflow in the bundle pays for schemas built at module load.
 *
 * A batch is `running` or `paused` while any item is open or queued; once every item is final
 * it ends `completed` (every item completed), `failed` (some item did not complete) or stays
 * `cancelled`. `retry-failed` re-opens a `failed` batch.
 */
export const BATCH_STATUSES = ['running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
