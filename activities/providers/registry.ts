/**
 * Chooses the provider for a task from its declared family. Providers are built on first use so
 * a worker without, say, an OpenAI key still runs every other task.
 */
import type { Config } from '../../runtime/config';
import { findTaskType, type TaskType } from '../../workflows/definition/tasks';
import { BuiltinProvider } from './builtin';
import { invalidPayload } from './common';
import { FalProvider } from './fal';
import { LocalImageProvider } from './local-image';
import { OpenAIProvider } from './openai';
import { ProviderError, type Provider } from './provider';

/** What providers are built from. */
export interface ProviderDeps {
  config: Config;
}

/** The providers of one worker process. */
export interface Providers {
  /** The provider for `task`; throws a non-retryable 422 ProviderError for unknown tasks. */
  forTask(task: string): Provider;
}

type Family = TaskType['provider'];

function missingSetting(provider: string, variable: string): ProviderError {
  return new ProviderError(`${variable} is not set; ${provider} tasks cannot run`, {
    provider,
    retryable: false,
  });
}

function build(family: Family, config: Config): Provider {
  switch (family) {
    case 'fal':
      if (!config.FAL_KEY) throw missingSetting('fal', 'FAL_KEY');
      return new FalProvider({
        queueUrl: config.FAL_QUEUE_URL,
        key: config.FAL_KEY,
        pollIntervalMs: config.FAL_POLL_INTERVAL_MS,
      });
    case 'openai':
      if (!config.OPENAI_API_KEY) throw missingSetting('openai', 'OPENAI_API_KEY');
      return new OpenAIProvider({ baseURL: config.OPENAI_BASE_URL, apiKey: config.OPENAI_API_KEY });
    case 'builtin':
      return new BuiltinProvider();
    case 'local':
      return new LocalImageProvider();
  }
}

/** Builds the provider registry for a worker. */
export function createProviders(deps: ProviderDeps): Providers {
  const built = new Map<Family, Provider>();
  return {
    forTask(task) {
      const type = findTaskType(task);
      if (!type) throw invalidPayload('registry', 'task', `unknown task ${task}`);
      let provider = built.get(type.provider);
      if (!provider) {
        provider = build(type.provider, deps.config);
        built.set(type.provider, provider);
      }
      return provider;
    },
  };
}
