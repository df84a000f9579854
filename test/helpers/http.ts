/** Small JSON-over-HTTP helpers for tests that drive the real API. */

export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // No request in the suite may get a server error: bad input is a 4xx naming the field.
  if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls an execution until it reaches a final status (or `until` says so). */
export async function waitForExecution(
  base: string,
  id: string,
  until: (execution: any) => boolean = (e) =>
    ['completed', 'failed', 'cancelled', 'timed_out'].includes(e.status),
  timeoutMs = 30_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await request(base, 'GET', `/api/workflow-executions/${id}`);
    if (status !== 200)
      throw new Error(`GET execution answered ${status}: ${JSON.stringify(body)}`);
    if (until(body.execution)) return body.execution;
    if (Date.now() > deadline)
      throw new Error(
        `execution ${id} still ${body.execution.status}: ${JSON.stringify(body.execution.nodes)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
