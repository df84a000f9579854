/**
 * Numbers every durable fact about a run and writes them to PostgreSQL in order through a local
 * activity, one batch at a time. Scheduling never waits for the database; only the end of the
 * run does, so the projection is complete before the workflow closes.
 */
import { CancellationScope, condition, proxyLocalActivities } from '@temporalio/workflow';
import type { createPersistenceActivities } from '../../activities/persistence/record-run-events';
import type { RunEvent } from './state';

const { recordRunEvents } = proxyLocalActivities<ReturnType<typeof createPersistenceActivities>>({
  startToCloseTimeout: '30 seconds',
  // A database outage stalls the projection, not the run: keep retrying, slowly.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 },
});

type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'seq'> : never) : never;

export class EventLog {
  private queue: RunEvent[] = [];
  private writing = false;

  constructor(
    private readonly executionId: string,
    private seq: number,
  ) {}

  /** Appends an event; it is written in the background. */
  append(event: EventBody): void {
    this.queue.push({ ...event, seq: ++this.seq } as RunEvent);
    if (!this.writing) void this.drain();
  }

  /** Resolves once every appended event is written. */
  async flushed(): Promise<void> {
    await condition(() => this.queue.length === 0 && !this.writing);
  }

  get lastSeq(): number {
    return this.seq;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        // Cancelling the run must not cancel writing down that it was cancelled.
        await CancellationScope.nonCancellable(() =>
          recordRunEvents({ executionId: this.executionId, events: batch }),
        );
      }
    } finally {
      this.writing = false;
    }
  }
}
