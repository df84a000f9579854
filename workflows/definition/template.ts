/**
 * Template references inside node inputs: `${input.x}`, `${nodes.<id>.result.a[0].b}`,
 * `${item.x}`, plus `$each` blocks and the `$${` escape. Pure module: the workflow resolves
 * templates before each step and the API scans them for validation.
 *
 * Parsing is a hand-written scanner (no backtracking regexes over user text).
 */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

/** A parsed `${...}` expression. `path` is relative to the input, the node result or the item. */
export interface Reference {
  root: 'input' | 'nodes' | 'item';
  nodeId?: string;
  path: PathSegment[];
}

/** What templates may read while resolving. `item` is bound inside `$each` (and map nodes). */
export interface TemplateScope {
  input: Record<string, unknown>;
  nodes: Record<string, { result: unknown }>;
  item?: unknown;
}

/** A reference found by `scanTemplates`; `path` locates the string, e.g. `inputs.messages[1]`. */
export interface TemplateReference {
  expr: string;
  ref: Reference;
  path: string;
  /** True inside a `$each` template, where `${item}` is bound. */
  inEach: boolean;
}

/** A syntax problem found by `scanTemplates`. */
export interface TemplateProblem {
  path: string;
  message: string;
}

/** Bad template syntax, or a reference to something that does not exist at run time. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Part = { text: string } | { expr: string; ref: Reference };

const isKeyChar = (c: string) => /^[A-Za-z0-9_-]$/.test(c);

/** `a.b[0]` → `['a', 'b', 0]`; also used for declared `outputs`. Throws `TemplateError`. */
export function parsePath(text: string): PathSegment[] {
  const source = text.startsWith('[') ? text : `.${text}`;
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < source.length) {
    if (source[i] === '.') {
      let end = i + 1;
      while (end < source.length && isKeyChar(source[end]!)) end++;
      if (end === i + 1) throw new TemplateError(`expected a name at '${source.slice(i)}'`);
      segments.push(source.slice(i + 1, end));
      i = end;
    } else if (source[i] === '[') {
      const close = source.indexOf(']', i);
      const digits = close === -1 ? '' : source.slice(i + 1, close);
      if (!/^[0-9]{1,9}$/.test(digits)) {
        throw new TemplateError(`expected an index like [0] at '${source.slice(i)}'`);
      }
      segments.push(Number(digits));
      i = close + 1;
    } else {
      throw new TemplateError(`unexpected '${source[i]}' in '${text}'`);
    }
  }
  return segments;
}

/** `['choices', 0, 'message']` → `choices[0].message`. */
export function formatPath(path: readonly PathSegment[], base = ''): string {
  return path.reduce<string>((out, seg) => {
    if (typeof seg === 'number') return `${out}[${seg}]`;
    if (!/^[A-Za-z0-9_$-]+$/.test(seg)) return `${out}[${JSON.stringify(seg)}]`;
    return out === '' ? seg : `${out}.${seg}`;
  }, base);
}

/** Parses the text between `${` and `}`. Throws `TemplateError` naming the expression. */
export function parseReference(expr: string): Reference {
  try {
    return toReference(expr.trim());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemplateError(`invalid template \${${expr}}: ${reason}`);
  }
}

function toReference(expr: string): Reference {
  if (expr === '') throw new TemplateError('empty reference');
  const [root, ...rest] = parsePath(expr);
  if (root === 'input') {
    if (typeof rest[0] !== 'string') throw new TemplateError('expected input.<name>');
    return { root, path: rest };
  }
  if (root === 'nodes') {
    const [nodeId, result, ...path] = rest;
    if (typeof nodeId !== 'string' || result !== 'result') {
      throw new TemplateError('expected nodes.<id>.result');
    }
    return { root, nodeId, path };
  }
  if (root === 'item') return { root, path: rest };
  throw new TemplateError(`unknown root '${String(root)}'; expected input, nodes or item`);
}

/** Splits a string into literal text and references; `$${` stays a literal `${`. */
function parseString(text: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  for (let dollar = text.indexOf('$', i); dollar !== -1; dollar = text.indexOf('$', i)) {
    literal += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      literal += '${';
      i = dollar + 3;
    } else if (text.startsWith('${', dollar)) {
      const close = text.indexOf('}', dollar + 2);
      if (close === -1) throw new TemplateError(`unterminated template in '${text}'`);
      if (literal !== '') parts.push({ text: literal });
      literal = '';
      const expr = text.slice(dollar + 2, close);
      parts.push({ expr, ref: parseReference(expr) });
      i = close + 1;
    } else {
      literal += '$';
      i = dollar + 1;
    }
  }
  literal += text.slice(i);
  if (literal !== '' || parts.length === 0) parts.push({ text: literal });
  return parts;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Reads a reference from the scope; anything undefined along the way is a `TemplateError`. */
function lookup(expr: string, ref: Reference, scope: TemplateScope): unknown {
  const fail = (what: string) => new TemplateError(`\${${expr}} : ${what}`);
  let value: unknown;
  let shown: string;
  if (ref.root === 'nodes') {
    const node = Object.hasOwn(scope.nodes, ref.nodeId!) ? scope.nodes[ref.nodeId!] : undefined;
    if (node === undefined) throw fail(`node ${ref.nodeId} has no result yet`);
    value = node.result;
    shown = ''; // messages show the path relative to `result`, as users write it
  } else {
    value = ref.root === 'input' ? scope.input : scope.item;
    shown = ref.root;
  }
  const label = () => shown || `nodes.${ref.nodeId}.result`;
  if (value === undefined) throw fail(`${label()} is undefined`);
  for (const seg of ref.path) {
    const next = formatPath([seg], shown);
    if (typeof value !== 'object' || value === null) {
      throw fail(`${label()} is ${describe(value)}, so ${next} is undefined`);
    }
    value = child(value, seg);
    if (value === undefined) throw fail(`${next} is undefined`);
    shown = next;
  }
  return value;
}

/** Own properties only, so templates cannot reach `constructor` or `__proto__`. */
function child(container: object, seg: PathSegment): unknown {
  if (Array.isArray(container)) {
    const index = typeof seg === 'number' ? seg : /^[0-9]+$/.test(seg) ? Number(seg) : -1;
    return index >= 0 && index < container.length ? container[index] : undefined;
  }
  const key = String(seg);
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

function interpolate(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function resolveString(text: string, scope: TemplateScope): unknown {
  if (!text.includes('$')) return text;
  const parts = parseString(text);
  const only = parts.length === 1 ? parts[0]! : undefined;
  // An exact `${...}` keeps the value's type: arrays, objects, numbers pass through unchanged.
  if (only && 'expr' in only) return lookup(only.expr, only.ref, scope);
  return parts
    .map((p) => ('expr' in p ? interpolate(lookup(p.expr, p.ref, scope)) : p.text))
    .join('');
}

interface EachBlock {
  each: string;
  template: unknown;
}

/** `{ "$each": "${...}", "template": ... }` → its parts, or null when `value` is no such block. */
function asEachBlock(value: unknown): EachBlock | null {
  if (!isRecord(value) || !Object.hasOwn(value, '$each')) return null;
  const extra = Object.keys(value).filter((k) => k !== '$each' && k !== 'template');
  if (typeof value.$each !== 'string') throw new TemplateError('$each must be a "${...}" string');
  if (!Object.hasOwn(value, 'template')) throw new TemplateError('$each needs a "template"');
  if (extra.length > 0) throw new TemplateError(`$each block has extra keys: ${extra.join(', ')}`);
  const parts = parseString(value.$each);
  if (parts.length !== 1 || !('expr' in parts[0]!)) {
    throw new TemplateError(`$each must be exactly one \${...} reference, got '${value.$each}'`);
  }
  return { each: value.$each, template: value.template };
}

function expandEach(block: EachBlock, scope: TemplateScope): unknown[] {
  const list = resolveString(block.each, scope);
  if (!Array.isArray(list)) {
    throw new TemplateError(`$each ${block.each} is ${describe(list)}, expected an array`);
  }
  return list.map((item) => resolveTemplates(block.template, { ...scope, item }));
}

/**
 * Resolves every template in `value` (objects and arrays walked recursively; keys are not
 * templates). A `$each` block that is an array element expands inline into one copy of its
 * template per element; anywhere else it becomes the array of copies. Throws `TemplateError`.
 */
export function resolveTemplates(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) {
    return value.flatMap((element) => {
      const block = asEachBlock(element);
      return block ? expandEach(block, scope) : [resolveTemplates(element, scope)];
    });
  }
  if (!isRecord(value)) return value;
  const block = asEachBlock(value);
  if (block) return expandEach(block, scope);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v, scope)]));
}

/** Every reference and every syntax problem in `value`; paths are prefixed with `base`. */
export function scanTemplates(
  value: unknown,
  base = '',
): { references: TemplateReference[]; problems: TemplateProblem[] } {
  const found = { references: [] as TemplateReference[], problems: [] as TemplateProblem[] };
  scan(value, base, false, found);
  return found;
}

type Found = ReturnType<typeof scanTemplates>;
const FAILED = Symbol('failed');

/** Runs a parse step, recording its `TemplateError` as a problem at `path` instead of throwing. */
function attempt<T>(path: string, found: Found, parse: () => T): T | typeof FAILED {
  try {
    return parse();
  } catch (error) {
    found.problems.push({ path, message: (error as Error).message });
    return FAILED;
  }
}
function scan(value: unknown, path: string, inEach: boolean, found: Found): void {
  if (typeof value === 'string') {
    const parts = attempt(path, found, () => parseString(value));
    if (parts === FAILED) return;
    for (const part of parts) {
      if ('expr' in part) found.references.push({ expr: part.expr, ref: part.ref, path, inEach });
    }
    return;
  }
  const block = attempt(path, found, () => asEachBlock(value));
  if (block === FAILED) return;
  if (block) {
    scan(block.each, formatPath(['$each'], path), inEach, found);
    scan(block.template, formatPath(['template'], path), true, found);
  } else if (Array.isArray(value)) {
    value.forEach((element, i) => scan(element, formatPath([i], path), inEach, found));
  } else if (isRecord(value)) {
    for (const [key, v] of Object.entries(value)) scan(v, formatPath([key], path), inEach, found);
  }
}

/** The references in `value` (syntax problems skipped; `scanTemplates` reports those). */
export function findReferences(value: unknown, base = ''): TemplateReference[] {
  return scanTemplates(value, base).references;
}
