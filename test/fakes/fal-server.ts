/**
 * A fake fal queue (https://docs.fal.ai/model-endpoints/queue) over real HTTP. Status, result
 * and cancel URLs live under `/requests/...`, away from the submit path, so a client that
 * rebuilds URLs instead of following the ones it was given fails against it.
 */
import type http from 'node:http';
import {
  behaviourFor,
  closeServer,
  listen,
  readJson,
  sendBytes,
  sendJson,
  type HttpFailure,
  type Programmed,
  type Sequenced,
} from './http';
import { fileFor, makePng } from './media';

/** How the fake treats submissions to one model id. */
export interface FalBehaviour extends Sequenced<FalBehaviour> {
  /** Time spent IN_QUEUE before starting (default 0). */
  queueMs?: number;
  /** Time spent IN_PROGRESS before COMPLETED (default 0). */
  processingMs?: number;
  /** The result JSON, or a function of the payload; defaults to {@link defaultResult}. */
  result?: Programmed<(payload: unknown, request: FalSubmission) => unknown>;
  /** Answered at submit (default) or by the response URL once COMPLETED. */
  failure?: FalFailure;
  /** A failure chosen per payload (wins over `failure`); undefined lets the request succeed. */
  failFor?: (payload: unknown) => FalFailure | undefined;
}

/** A programmed failure and when it is answered. */
export type FalFailure = HttpFailure & { stage?: 'submit' | 'response' };

/** One POST to a model's submit URL, as the fake recorded it. */
export interface FalSubmission {
  model_id: string;
  payload: unknown;
  /** Undefined when the submission was answered with a failure. */
  request_id: string | undefined;
  at: Date;
}

type FalStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

interface FakeRequest {
  submission: FalSubmission & { request_id: string };
  behaviour: FalBehaviour;
  status: FalStatus;
  cancelled: boolean;
  timers: NodeJS.Timeout[];
}

/** A running fake fal queue: its URL, what it saw, and how to program it. */
export interface FakeFal {
  url: string;
  /** The key clients must send as `Authorization: Key <key>`. */
  key: string;
  /** Every authorised submission, in arrival order (failed ones too). */
  submissions: FalSubmission[];
  /** Count of status polls answered. */
  statusPolls: number;
  /** Request ids a cancel (PUT cancel_url) was received for. */
  cancels: string[];
  /** Requests submitted and not yet COMPLETED (queued or running), now and at the peak. */
  inProgress: number;
  peakInProgress: number;
  /** Programs the behaviour for `modelId` (replacing any earlier one). */
  on(modelId: string, behaviour: FalBehaviour): void;
  submissionsFor(modelId: string): FalSubmission[];
  /** Current status of a request, for assertions. */
  statusOf(requestId: string): FalStatus | undefined;
  /** Forgets behaviours, records and counters (not the URL). */
  reset(): void;
  close(): Promise<void>;
}

/** The result a model answers when no `result` is programmed. */
export function defaultResult(url: string, modelId: string, requestId: string, payload: unknown) {
  const input = payload as Record<string, unknown> | undefined;
  if (modelId.includes('video')) {
    return {
      video: { url: `${url}/files/${requestId}.mp4`, content_type: 'video/mp4' },
      input,
    };
  }
  const image = { url: `${url}/files/${requestId}.png`, width: 64, height: 64 };
  return { images: [{ ...image, content_type: 'image/png' }], seed: 42, input };
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeFal(options: { key?: string } = {}): Promise<FakeFal> {
  const png = await makePng(64);
  const behaviours = new Map<string, FalBehaviour>();
  const requests = new Map<string, FakeRequest>();
  let nextId = 1;

  const complete = (request: FakeRequest) => {
    if (request.status === 'COMPLETED') return;
    request.status = 'COMPLETED';
    request.timers.forEach(clearTimeout);
    fake.inProgress--;
  };

  const schedule = (request: FakeRequest) => {
    const { queueMs = 0, processingMs = 0 } = request.behaviour;
    const start = () => (request.status = 'IN_PROGRESS');
    request.timers.push(setTimeout(start, queueMs));
    request.timers.push(setTimeout(() => complete(request), queueMs + processingMs));
  };

  const handles = (id: string) => ({
    request_id: id,
    status_url: `${fake.url}/requests/${id}/status`,
    response_url: `${fake.url}/requests/${id}`,
    cancel_url: `${fake.url}/requests/${id}/cancel`,
  });

  async function submit(req: http.IncomingMessage, res: http.ServerResponse, modelId: string) {
    const payload = await readJson(req);
    const n = fake.submissionsFor(modelId).length;
    const programmed = behaviourFor(behaviours.get(modelId) ?? {}, n);
    const behaviour = {
      ...programmed,
      failure: programmed.failFor?.(payload) ?? programmed.failure,
    };
    const submission: FalSubmission = {
      model_id: modelId,
      payload,
      request_id: undefined,
      at: new Date(),
    };
    fake.submissions.push(submission);
    const failure = behaviour.failure;
    if (failure && (failure.stage ?? 'submit') === 'submit') {
      return sendJson(res, failure.status, failure.body ?? { detail: 'fake failure' });
    }
    const id = `req_${String(nextId++).padStart(6, '0')}`;
    submission.request_id = id;
    const request: FakeRequest = {
      submission: submission as FakeRequest['submission'],
      behaviour,
      status: 'IN_QUEUE',
      cancelled: false,
      timers: [],
    };
    requests.set(id, request);
    fake.inProgress++;
    fake.peakInProgress = Math.max(fake.peakInProgress, fake.inProgress);
    schedule(request);
    sendJson(res, 200, { ...handles(id), queue_position: 0 });
  }

  function status(res: http.ServerResponse, request: FakeRequest) {
    fake.statusPolls++;
    const id = request.submission.request_id;
    const body = { status: request.status, ...handles(id), logs: null };
    if (request.status === 'IN_QUEUE') Object.assign(body, { queue_position: 0 });
    sendJson(res, request.status === 'COMPLETED' ? 200 : 202, body);
  }

  function response(res: http.ServerResponse, request: FakeRequest) {
    if (request.status !== 'COMPLETED') {
      return sendJson(res, 400, { detail: 'Request is still in progress' });
    }
    if (request.cancelled) return sendJson(res, 400, { detail: 'Request was cancelled' });
    const { failure, result } = request.behaviour;
    if (failure?.stage === 'response') {
      return sendJson(res, failure.status, failure.body ?? { detail: 'fake failure' });
    }
    const { model_id, payload, request_id } = request.submission;
    const body =
      typeof result === 'function'
        ? result(payload, request.submission)
        : (result ?? defaultResult(fake.url, model_id, request_id, payload));
    sendJson(res, 200, body);
  }

  function cancel(res: http.ServerResponse, request: FakeRequest) {
    fake.cancels.push(request.submission.request_id);
    if (request.status === 'COMPLETED') return sendJson(res, 400, { status: 'ALREADY_COMPLETED' });
    request.cancelled = true;
    complete(request);
    sendJson(res, 202, { status: 'CANCELLATION_REQUESTED' });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = new URL(req.url ?? '/', fake.url).pathname;
    const file = /^\/files\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && file) {
      const served = fileFor(file[1] ?? '', png);
      return served ? sendBytes(res, served.bytes, served.contentType) : sendJson(res, 404, {});
    }
    if (req.headers.authorization !== `Key ${fake.key}`) {
      return sendJson(res, 401, { detail: 'Invalid or missing key' });
    }
    const match = /^\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
    if (!match) {
      if (req.method === 'POST') return submit(req, res, path.slice(1));
      return sendJson(res, 404, { detail: 'Not found' });
    }
    const request = requests.get(match[1] ?? '');
    if (!request) return sendJson(res, 404, { detail: 'Request not found' });
    const action = `${req.method} ${match[2] ?? ''}`;
    if (action === 'GET /status') return status(res, request);
    if (action === 'GET ') return response(res, request);
    if (action === 'PUT /cancel') return cancel(res, request);
    sendJson(res, 405, { detail: 'Method not allowed' });
  }

  const { server, url } = await listen(route);
  const fake: FakeFal = {
    url,
    key: options.key ?? 'fal-test-key',
    submissions: [],
    statusPolls: 0,
    cancels: [],
    inProgress: 0,
    peakInProgress: 0,
    on: (modelId, behaviour) => void behaviours.set(modelId, behaviour),
    submissionsFor: (modelId) => fake.submissions.filter((s) => s.model_id === modelId),
    statusOf: (id) => requests.get(id)?.status,
    reset() {
      for (const request of requests.values()) request.timers.forEach(clearTimeout);
      requests.clear();
      behaviours.clear();
      Object.assign(fake, {
        submissions: [],
        statusPolls: 0,
        cancels: [],
        inProgress: 0,
        peakInProgress: 0,
      });
    },
    async close() {
      for (const request of requests.values()) request.timers.forEach(clearTimeout);
      await closeServer(server);
    },
  };
  return fake;
}
