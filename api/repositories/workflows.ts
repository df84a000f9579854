/**
 * Prisma access for workflows and their versions. Every query is scoped to an organization and
 * skips soft-deleted workflows, so handlers cannot forget either filter.
 */
import type { Prisma, Workflow } from '../../prisma/generated/client';
import type { Database } from '../../runtime/database';
import type { Definition } from '../../workflows/definition/schema';
import { newId } from '../ids';
import { pageArgs, toPage, type Page } from '../pagination';
import type { PaginationQuery } from '../schemas/common';

/** A workflow together with one of its versions' definition. */
export interface StoredWorkflow {
  id: string;
  organization_id: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  /** The definition of `version` (its name and description may differ from the current). */
  definition: Definition;
}

/** Creates the workflow and its version 1 (one nested write, hence one transaction). */
export async function createWorkflow(
  db: Database,
  organizationId: string,
  definition: Definition,
): Promise<StoredWorkflow> {
  const row = await db.workflow.create({
    data: {
      id: newId('wf'),
      organization_id: organizationId,
      name: definition.name,
      description: definition.description ?? null,
      current_version: 1,
      versions: { create: { version: 1, definition: toJson(definition) } },
    },
  });
  return { ...pick(row), version: 1, definition };
}

/** The workflow at `version` (default: current); null when it, or that version, is missing. */
export async function findWorkflow(
  db: Database,
  organizationId: string,
  id: string,
  version?: number,
): Promise<StoredWorkflow | null> {
  const row = await db.workflow.findFirst({
    where: { id, organization_id: organizationId, deleted_at: null },
  });
  if (!row) return null;
  const wanted = version ?? row.current_version;
  const stored = await db.workflowVersion.findUnique({
    where: { workflow_id_version: { workflow_id: id, version: wanted } },
  });
  if (!stored) return null;
  return { ...pick(row), version: wanted, definition: fromJson(stored.definition) };
}

/** One page of live workflows, newest first. */
export async function listWorkflows(
  db: Database,
  organizationId: string,
  query: PaginationQuery,
): Promise<Page<Workflow>> {
  const { where, orderBy, take } = pageArgs(query);
  const rows = await db.workflow.findMany({
    where: { organization_id: organizationId, deleted_at: null, ...where },
    orderBy,
    take,
  });
  return toPage(rows, query.limit, (row) => row);
}

/**
 * Appends version N+1 and makes it current; null when the workflow is missing. The increment
 * runs first and row-locks the workflow, so concurrent PUTs serialise into distinct versions
 * instead of colliding on the (workflow_id, version) key.
 */
export async function appendWorkflowVersion(
  db: Database,
  organizationId: string,
  id: string,
  definition: Definition,
): Promise<StoredWorkflow | null> {
  return db.$transaction(async (tx) => {
    const bumped = await tx.workflow.updateMany({
      where: { id, organization_id: organizationId, deleted_at: null },
      data: {
        current_version: { increment: 1 },
        name: definition.name,
        description: definition.description ?? null,
      },
    });
    if (bumped.count === 0) return null;
    const row = await tx.workflow.findUniqueOrThrow({ where: { id } });
    await tx.workflowVersion.create({
      data: { workflow_id: id, version: row.current_version, definition: toJson(definition) },
    });
    return { ...pick(row), version: row.current_version, definition };
  });
}

/** Marks the workflow deleted; false when there was no live workflow to delete. */
export async function softDeleteWorkflow(
  db: Database,
  organizationId: string,
  id: string,
): Promise<boolean> {
  const { count } = await db.workflow.updateMany({
    where: { id, organization_id: organizationId, deleted_at: null },
    data: { deleted_at: new Date() },
  });
  return count > 0;
}

function pick(row: Workflow) {
  const { id, organization_id, created_at, updated_at } = row;
  return { id, organization_id, created_at, updated_at };
}

/** Definitions come from JSON bodies, so they are JSON values even though zod types `unknown`. */
function toJson(definition: Definition): Prisma.InputJsonValue {
  return definition as unknown as Prisma.InputJsonValue;
}

/** Stored definitions were validated before they were written. */
function fromJson(value: Prisma.JsonValue): Definition {
  return value as unknown as Definition;
}
