/**
 * Checks the run-time input of a run against `settings.input_params`. Pure module: the API
 * checks before starting a run, and the workflow may re-check.
 */
import type { InputParam, Settings } from './schema';

/** One problem with the given input; `field` is `input_params.<name>`. */
export interface InputParamError {
  field: string;
  message: string;
}

/** The input with defaults applied, plus every problem found. */
export interface InputParamsCheck {
  values: Record<string, unknown>;
  errors: InputParamError[];
}

type ParamType = InputParam['type'];

const MEDIA_TYPES: ReadonlySet<ParamType> = new Set(['image', 'video', 'audio', 'file']);

/** Media travels as a URL: http(s) with a host, or an inline `data:` URL. */
function isMediaUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  // Two simple anchored tests instead of one combined pattern: linear on megabyte-long values.
  if (/^data:[^,]*,/i.test(value)) return true;
  return /^https?:\/\/[^\s/]/i.test(value) && !/\s/.test(value);
}

const CHECKS: Record<ParamType, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  image: isMediaUrl,
  video: isMediaUrl,
  audio: isMediaUrl,
  file: isMediaUrl,
};

function expected(type: ParamType): string {
  if (MEDIA_TYPES.has(type)) return `an http(s) or data: URL (${type})`;
  return type === 'array' || type === 'integer' || type === 'object' ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `an ${typeof value}`;
}

const own = (value: unknown): PropertyDescriptor => ({
  value,
  enumerable: true,
  writable: true,
  configurable: true,
});

/**
 * Applies defaults and checks required params and types. Params the definition does not declare
 * pass through unchanged (templates may still use them; validation warns about that). `null` is
 * a value, not an absence, so it fails every type check.
 */
export function checkInputParams(
  settings: Settings | undefined,
  given: Record<string, unknown>,
): InputParamsCheck {
  const values: Record<string, unknown> = { ...given };
  const errors: InputParamError[] = [];
  for (const [name, param] of Object.entries(settings?.input_params ?? {})) {
    const field = `input_params.${name}`;
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined) {
      // defineProperty, not assignment: a param named `__proto__` must not swap the prototype.
      if (param.default !== undefined) Object.defineProperty(values, name, own(param.default));
      else if (param.required) errors.push({ field, message: `${name} is required` });
      continue;
    }
    if (!CHECKS[param.type](value)) {
      errors.push({
        field,
        message: `${name} must be ${expected(param.type)}, got ${describe(value)}`,
      });
    }
  }
  return { values, errors };
}
