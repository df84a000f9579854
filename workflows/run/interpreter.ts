/**
 * The DAG interpreter behind the `runExecution` workflow. It starts every node whose parents are
 * done (so independent branches run in parallel), honours pause, approvals, retries,
 * cancellation and the run timeout, and records every transition through the event log.
 * Deterministic: all I/O is in activities.
 */
import { condition, isCancellation, setHandler } from '@temporalio/workflow';
import type { ApprovalNode, Definition } from '../definition/schema';
import { NodeFailure, NodeSkipped, runNode, type Approvals, type RunOptions } from '../nodes';
import { EventLog } from './event-log';
import {
  decideUpdate,
  invalidState,
  pauseUpdate,
  resumeUpdate,
  retryUpdate,
  runClosing,
  stateQuery,
  type DecisionRequest,
  type RetryRequest,
} from './messages';
import { RunState } from './run-state';
import {
  isTerminal,
  type ApprovalDecision,
  type MapProgress,
  type NodeState,
  type StatusChange,
} from './state';

export interface RunExecutionInput {
  executionId: string;
  definition: Definition;
  inputParams: Record<string, unknown>;
  options: RunOptions;
  /** Node states persisted by an earlier Temporal run of this execution (retry, locked nodes). */
  seed?: Record<string, NodeState>;
  /** With `seed`: the failed nodes to run again (all when absent) and their new inputs. */
  retry?: RetryRequest;
  /** Status history so far (at least the `pending` the API recorded). */
  statusHistory?: StatusChange[];
  /** The last event number already written; this run continues after it. */
  lastEventSeq?: number;
}

const now = () => new Date().toISOString();

export class Interpreter implements Approvals {
  readonly run: RunState;
  private readonly log: EventLog;
  private readonly overrides: Record<string, Record<string, unknown>> = {};
  private readonly decisions = new Map<string, { decision: ApprovalDecision; value: unknown }>();
  private paused = false;
  private changed = false;
  /** Set once the run stops taking controls: finishing, cancelled or timed out. */
  stopping: 'finishing' | 'cancelled' | 'timed_out' | undefined;

  constructor(private readonly input: RunExecutionInput) {
    const retry = input.retry?.node_id ? [input.retry.node_id] : undefined;
    this.run = new RunState(input.definition.dag, { seed: input.seed, retry }, input.statusHistory);
    this.log = new EventLog(input.executionId, input.lastEventSeq ?? 0);
    if (input.retry?.node_id && input.retry.inputs) {
      this.overrides[input.retry.node_id] = input.retry.inputs;
    }
  }

  /** Runs until no node can start; stays open while paused or awaiting an approval. */
  async loop(): Promise<void> {
    for (const id of Object.keys(this.run.nodes)) this.recordNode(id);
    for (;;) {
      if (!this.paused) for (const id of this.run.readyNodes()) this.start(id);
      this.refreshStatus();
      if (!this.paused && this.run.isSettled()) return;
      await condition(() => this.changed);
      this.changed = false;
    }
  }

  /** Ends the run: waits for active nodes to wind down, then records the final status. */
  async finish(stop?: 'cancelled' | 'timed_out'): Promise<void> {
    this.stopping = stop ?? 'finishing';
    if (stop) {
      await condition(() => this.run.activeNodes().length === 0);
      for (const id of this.run.cancelOpenNodes(now(), this.stopReason())) this.recordNode(id);
    }
    this.run.setStatus(stop ?? this.run.outcome(), now());
    this.recordStatus();
    await this.log.flushed();
  }

  /** Why unfinished nodes stopped: the run was cancelled or timed out. */
  private stopReason() {
    if (this.stopping === 'timed_out') return { code: 'timed_out', message: 'the run timed out' };
    return { code: 'cancelled', message: 'the run was cancelled' };
  }

  private start(id: string): void {
    const node = this.input.definition.dag.nodes[id]!;
    const before = this.run.node(id).attempts;
    this.run.markRunning(id, now());
    this.recordNode(id);
    const ctx = {
      executionId: this.input.executionId,
      nodeId: id,
      scope: { input: this.input.inputParams, nodes: this.run.results() },
      settings: this.input.definition.settings ?? {},
      options: this.input.options,
      overrides: this.overrides[id],
      approvals: this,
      // Live counts only (queries); the final counts are written with the node's last event.
      reportProgress: (map: MapProgress) => this.run.update(id, { map }),
    };
    runNode(node, ctx)
      .then(({ result, attempts, request_id, cost }) => {
        this.run.markCompleted(id, now(), {
          result,
          attempts: before + attempts,
          request_id,
          cost,
        });
        this.recordNode(id);
      })
      .catch((err: unknown) => this.onNodeError(id, before, err))
      .finally(() => {
        this.changed = true;
      });
  }

  private onNodeError(id: string, before: number, err: unknown): void {
    const at = now();
    if (err instanceof NodeSkipped) {
      this.run.markSkipped(id, at).forEach((n) => this.recordNode(n));
      return;
    }
    if (
      this.stopping ||
      isCancellation(err) ||
      (err instanceof NodeFailure && err.error.code === 'cancelled')
    ) {
      this.run.update(id, { status: 'cancelled', finished_at: at, error: this.stopReason() });
      this.recordNode(id);
      return;
    }
    const failure =
      err instanceof NodeFailure
        ? err
        : new NodeFailure({ code: 'internal_error', message: String(err) }, 0);
    this.run
      .markFailed(id, at, failure.error, before + failure.attempts)
      .forEach((n) => this.recordNode(n));
  }

  /** Registers the query and the control updates. */
  registerHandlers(): void {
    setHandler(stateQuery, () => this.run.snapshot());
    setHandler(pauseUpdate, () => this.setPaused(true), {
      validator: () => this.requireStatus(['running', 'awaiting_approval'], 'pause'),
    });
    setHandler(resumeUpdate, () => this.setPaused(false), {
      validator: () => this.requireStatus(['paused'], 'resume'),
    });
    setHandler(decideUpdate, (req) => this.decide(req), {
      validator: (req) => this.validateDecision(req),
    });
    setHandler(retryUpdate, (req) => this.retry(req), {
      validator: (req) => this.validateRetry(req),
    });
  }

  private requireStatus(allowed: string[], control: string): void {
    if (this.stopping || !allowed.includes(this.run.status)) {
      throw invalidState(
        `cannot ${control} a run that is ${this.shownStatus()}`,
        this.shownStatus(),
      );
    }
  }

  private shownStatus(): string {
    return this.stopping && this.stopping !== 'finishing' ? this.stopping : this.run.status;
  }

  private setPaused(paused: boolean) {
    this.paused = paused;
    this.changed = true;
    this.refreshStatus();
    return this.run.status;
  }

  private validateDecision(req: DecisionRequest): void {
    const node = this.run.nodes[req.node_id];
    if (!node) throw invalidState(`unknown node ${req.node_id}`, this.shownStatus());
    if (this.stopping || node.status !== 'awaiting_approval' || this.decisions.has(req.node_id)) {
      throw invalidState(
        `node ${req.node_id} is ${node.status}, not awaiting approval`,
        node.status,
      );
    }
  }

  private decide(req: DecisionRequest): NodeState {
    const decision: ApprovalDecision = {
      approved: req.approved,
      by: req.by,
      at: now(),
      comment: req.comment ?? null,
      edited: req.approved && req.has_value === true,
      timed_out: false,
    };
    this.setDecision(req.node_id, decision, req.value);
    return { ...this.run.node(req.node_id) };
  }

  private validateRetry(req: RetryRequest): void {
    const failed = this.run.failedNodes();
    // A finishing run closes in a moment; the caller then retries it as a closed run.
    if (this.stopping === 'finishing') throw runClosing(this.run.status);
    if (this.stopping) {
      throw invalidState(`cannot retry a run that is ${this.shownStatus()}`, this.shownStatus());
    }
    if (req.node_id !== undefined && !failed.includes(req.node_id)) {
      const status = this.run.nodes[req.node_id]?.status ?? 'unknown';
      throw invalidState(`node ${req.node_id} is ${status}, not failed`, status);
    }
    if (failed.length === 0) throw invalidState('no failed node to retry', this.run.status);
  }

  private retry(req: RetryRequest): string[] {
    const ids = req.node_id ? [req.node_id] : this.run.failedNodes();
    if (req.node_id && req.inputs) this.overrides[req.node_id] = req.inputs;
    const changed = this.run.resetForRetry(ids, now());
    changed.forEach((id) => this.recordNode(id));
    this.changed = true;
    return ids;
  }

  // Approvals, as user-approval nodes see them.
  upstreamOf(nodeId: string): Record<string, unknown> {
    const results = this.run.results();
    const parents = this.run.parentsOf(nodeId).filter((p) => results[p]);
    return Object.fromEntries(parents.map((p) => [p, results[p]!.result]));
  }

  open(nodeId: string, node: ApprovalNode, upstream: Record<string, unknown>): void {
    const expires = node.timeout_s
      ? new Date(Date.now() + node.timeout_s * 1000).toISOString()
      : null;
    this.run.update(nodeId, {
      status: 'awaiting_approval',
      approval: { message: node.message ?? null, upstream, expires_at: expires, decision: null },
    });
    this.recordNode(nodeId);
    this.changed = true;
  }

  decisionOf(nodeId: string) {
    return this.decisions.get(nodeId);
  }

  timeOut(nodeId: string, onTimeout: 'reject' | 'approve' | 'fail'): void {
    const decision = {
      approved: onTimeout === 'approve',
      by: 'timeout',
      at: now(),
      comment: null,
      edited: false,
      timed_out: true,
    };
    this.setDecision(nodeId, decision, undefined);
  }

  private setDecision(nodeId: string, decision: ApprovalDecision, value: unknown) {
    this.decisions.set(nodeId, { decision, value });
    const approval = this.run.node(nodeId).approval;
    if (approval) this.run.update(nodeId, { approval: { ...approval, decision } });
    this.recordNode(nodeId);
  }

  private refreshStatus(): void {
    if (this.stopping || isTerminal(this.run.status)) return;
    if (this.run.setStatus(this.run.openStatus(this.paused), now())) this.recordStatus();
  }

  private recordStatus(): void {
    const snap = this.run.snapshot();
    const { status, progress, outputs, error } = snap;
    this.log.append({ type: 'status', at: now(), status, progress, outputs, error });
  }

  private recordNode(id: string): void {
    this.log.append({
      type: 'node',
      at: now(),
      node_id: id,
      state: { ...this.run.node(id) },
      progress: this.run.progress(),
    });
  }
}
