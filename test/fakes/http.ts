/** Plumbing shared by the fake provider servers: listening, bodies, programmable behaviours. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP failure a fake answers instead of the normal response. */
export interface HttpFailure {
  status: number;
  body?: unknown;
}

/**
 * A programmed answer: a fixed value or a function computing it. Spelled out (not `unknown`) so
 * the function form gets its parameter types from context.
 */
export type Programmed<F extends (...args: never[]) => unknown> =
  F | Record<string, unknown> | unknown[] | string | number | boolean | null;

/** A behaviour whose `sequence[n]` overrides it for the n-th call (0-based). */
export interface Sequenced<T> {
  sequence?: Array<Partial<T>>;
}

/** The behaviour for call number `n`: the base, overridden by `sequence[n]` while it lasts. */
export function behaviourFor<T extends Sequenced<T>>(base: T, n: number): T {
  const { sequence, ...rest } = base;
  const override = sequence?.[n];
  return { ...(rest as T), ...override };
}

/** A started server and its base URL (`http://127.0.0.1:<port>`). */
export interface Listening {
  server: http.Server;
  url: string;
}

/** Starts `handler` on 127.0.0.1, on a free port. Handler errors become 500s. */
export async function listen(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
): Promise<Listening> {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { detail: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Closes the server, dropping kept-alive client connections so close() does not hang. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** The whole request body. */
export async function readRaw(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The request body as JSON, `undefined` when empty, the raw text when it is not JSON. */
export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readRaw(req)).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Answers JSON, or text/plain when `body` is a string. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(status, { 'content-type': type, ...headers }).end(text);
}

/** Answers raw bytes with a 200. */
export function sendBytes(
  res: http.ServerResponse,
  bytes: Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, { 'content-type': contentType, ...headers }).end(bytes);
}
