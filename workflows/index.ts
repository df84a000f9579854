/** The workflow bundle's entry point: every workflow type the worker registers. */
export { runExecution } from './run/run-execution';
export { runMapChunk } from './nodes/map/chunk';
export { runBatch } from './batch/run-batch';
