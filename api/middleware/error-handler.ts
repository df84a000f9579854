/**
 * The last middlewares: unknown routes become a JSON 404, and every error becomes
 * `{"error": {"code", "message", ...}}`. Only unexpected errors are 500s, and those are logged
 * with their stack while the client sees a generic message (internals stay private).
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../../runtime/logger';
import { ApiError } from '../errors';

/** Body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; [extra: string]: unknown };
}

/** 404 for any request no route answered. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`);
};

/** Translates thrown errors into JSON responses; mount after every route. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a JSON body; Express closes the connection.
      next(err);
      return;
    }
    if (err instanceof ApiError) {
      sendError(res, err.status, err.code, err.message, err.details());
      return;
    }
    const client = clientError(err);
    if (client) {
      sendError(res, client.status, client.code, client.message);
      return;
    }
    (req.log ?? logger).error({ err }, 'unhandled error while serving request');
    sendError(res, 500, 'internal_error', 'internal server error');
  };
}

/** Codes of the other statuses body-parser answers (unsupported charset or encoding). */
const CLIENT_ERROR_CODES: Record<number, string> = {
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** What body-parser (via http-errors) and the router report, e.g. `entity.parse.failed`. */
interface HttpError {
  status: number;
  type?: string;
  expose?: boolean;
  message: string;
}

function isHttpError(err: unknown): err is HttpError {
  return err instanceof Error && typeof (err as Partial<HttpError>).status === 'number';
}

/**
 * Maps Express's own client errors to answers: body-parser's (bad JSON, too large, bad charset)
 * and the router's undecodable path parameter (a 400 without `expose`).
 */
function clientError(err: unknown): { status: number; code: string; message: string } | null {
  if (!isHttpError(err) || err.expose === false || err.status < 400 || err.status >= 500) {
    return null;
  }
  switch (err.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'invalid_json', message: `malformed JSON body: ${err.message}` };
    case 'entity.too.large':
      return { status: 413, code: 'payload_too_large', message: 'request body is too large' };
    default:
      return {
        status: err.status,
        code: CLIENT_ERROR_CODES[err.status] ?? 'bad_request',
        message: err.message,
      };
  }
}

function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  const body: ErrorBody = { error: { code, message, ...details } };
  res.status(status).json(body);
}
