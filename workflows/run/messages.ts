/** Queries, signals and updates of the run workflow, shared by the workflow and its clients. */
import { defineQuery } from '@temporalio/workflow';
import type { RunSnapshot } from './state';

/** The whole live state of the run. */
export const stateQuery = defineQuery<RunSnapshot>('state');
