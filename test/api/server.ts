/**
 * Runs the real app on an ephemeral port against a fresh migrated database, and talks to it
 * over HTTP with global fetch. Every status seen is recorded so suites can assert no 500s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Router } from 'express';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../runtime/config';
import { createDatabase, type Database } from '../../runtime/database';
import { createLogger, type Logger } from '../../runtime/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** Parsed JSON; suites check it with assertions, so a static type would only get in the way. */

export type Json = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface TestServer {
  baseUrl: string;
  config: Config;
  db: Database;
  /** Every response status, in order. */
  statuses: number[];
  /** Sends `body` as JSON (a string is sent as-is, for malformed-JSON tests). */
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Extra routers mounted under /api (as ApiDeps.routers). */
  routers?: Router[];
  /** Defaults to a silent logger. */
  logger?: Logger;
}

/** Starts the app on 127.0.0.1 with a random port; `close()` drops the database too. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database: TestDatabase = await createTestDatabase();
  const assetsDir = await mkdtemp(path.join(tmpdir(), 'skein-assets-'));
  const config = loadConfig({
    DATABASE_URL: database.url,
    ASSETS_DIR: assetsDir,
    LOG_LEVEL: 'silent',
  });
  const db = createDatabase(database.url);
  const logger = options.logger ?? createLogger('silent');
  const app = createApp({ db, config, logger, routers: options.routers });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const statuses: number[] = [];

  async function request(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const sent = { ...headers };
    const init: RequestInit = { method, headers: sent };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      sent['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + url, init);
    statuses.push(res.status);
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('application/json');
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: isJson && text ? JSON.parse(text) : undefined,
    };
  }

  async function close() {
    await new Promise<void>((resolve, reject) =>
      server.close((err) => (err ? reject(err) : resolve())),
    );
    await db.$disconnect();
    await database.drop();
    await rm(assetsDir, { recursive: true, force: true });
  }

  return { baseUrl, config, db, statuses, request, close };
}
