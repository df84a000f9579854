/**
 * Graph-level validation of a parsed definition: dangling edges, cycles, unknown tasks and bad
 * template references. Pure module. Shape errors are zod's job (`schema.ts`); everything here is
 * a diagnostic so the API can answer every problem at once.
 */
import type { Diagnostic, Diagnostics } from './diagnostics';
import { findCycle, knownEdges, nodeIdsOf, reachableFrom, upstreamOf } from './graph';
import type {
  Dag,
  DagNode,
  Definition,
  Edge,
  MapInnerNode,
  MapNode,
  Settings,
  TaskNode,
} from './schema';
import { TASK_TYPES, findTaskType } from './tasks';
import { formatPath, parsePath, scanTemplates, type TemplateReference } from './template';

/** At most this many disjoint cycles are reported; one is enough to act on. */
const MAX_CYCLES = 10;

/** True when the definition must not run. */
export function hasErrors(d: Diagnostics): boolean {
  return d.errors.length > 0;
}

/** Every diagnostic for `def`, in definition order (edges first, then nodes). */
export function validateDefinition(def: Definition): Diagnostics {
  const out: Diagnostics = { errors: [], warnings: [], type_issues: [] };
  const dag: Dag = { nodes: def.dag.nodes, edges: checkEdges(def.dag, out) };
  checkCycles(dag, out);
  const parents = upstreamOf(dag);
  const undeclared = new Set<string>();
  for (const [id, node] of Object.entries(dag.nodes)) {
    if (node.type !== 'task' && node.type !== 'map') continue;
    const ancestors = reachableFrom(parents, id);
    const ctx: ReferenceContext = { dag, ancestors, settings: def.settings, undeclared };
    if (node.type === 'map') checkMapItems(id, node, ctx, out);
    // A map node's inner node is checked as a task standing in the map node's place, where
    // `${item}` is bound.
    const task = node.type === 'map' ? node.node : node;
    const at = node.type === 'map' ? `dag.nodes.${id}.node` : `dag.nodes.${id}`;
    checkTask(id, task, at, out);
    const inner = { ...ctx, itemBound: node.type === 'map' };
    for (const field of ['inputs', 'payload'] as const) {
      checkTemplates(task[field], `${at}.${field}`, id, inner, out);
    }
  }
  return out;
}

/** Reports the syntax problems and the references of every template in `value`. */
function checkTemplates(
  value: unknown,
  path: string,
  id: string,
  ctx: ReferenceContext,
  out: Diagnostics,
): void {
  const { references, problems } = scanTemplates(value, path);
  for (const p of problems) out.errors.push(diag('invalid_template', p.message, p.path, id));
  for (const r of references) checkReference(r, id, ctx, out);
}

/** `items` is one `${...}` reference (to an array, at run time) or a literal array. */
function checkMapItems(id: string, node: MapNode, ctx: ReferenceContext, out: Diagnostics) {
  const at = `dag.nodes.${id}.items`;
  const { items } = node;
  const single = typeof items === 'string' && /^\$\{[^}]*\}$/.test(items.trim());
  if (typeof items === 'string' && !single) {
    const msg = `items must be one \${...} reference resolving to an array (or a literal array), got '${items}'`;
    out.errors.push(diag('invalid_template', msg, at, id));
    return;
  }
  checkTemplates(items, at, id, ctx, out);
}

function diag(code: Diagnostic['code'], message: string, path?: string, nodeId?: string) {
  const d: Diagnostic = { code, message };
  if (path !== undefined) d.path = path;
  if (nodeId !== undefined) d.node_id = nodeId;
  return d;
}

/** Reports bad edges and returns the ones usable for graph checks (known ends, no self loop). */
function checkEdges(dag: Dag, out: Diagnostics): Edge[] {
  const known = new Set(knownEdges(dag));
  const seen = new Set<string>();
  const usable: Edge[] = [];
  dag.edges.forEach((edge, i) => {
    const at = `dag.edges[${i}]`;
    for (const end of ['from', 'to'] as const) {
      if (!Object.hasOwn(dag.nodes, edge[end])) {
        const msg = `edge ${edge.from} → ${edge.to}: unknown node '${edge[end]}'`;
        out.errors.push(diag('unknown_node', msg, `${at}.${end}`));
      }
    }
    if (!known.has(edge)) return;
    const key = JSON.stringify([edge.from, edge.to]);
    if (edge.from === edge.to) {
      const msg = `edge ${edge.from} → ${edge.to} connects a node to itself`;
      out.errors.push(diag('self_loop', msg, at, edge.from));
    } else if (seen.has(key)) {
      const msg = `edge ${edge.from} → ${edge.to} is declared more than once`;
      out.warnings.push(diag('duplicate_edge', msg, at, edge.to));
    } else {
      usable.push(edge);
    }
    seen.add(key);
  });
  return usable;
}

/** Reports disjoint cycles: after each one, its nodes are set aside and the search goes on. */
function checkCycles(dag: Dag, out: Diagnostics): void {
  const nodes = { ...dag.nodes };
  for (let n = 0; n < MAX_CYCLES; n++) {
    const cycle = findCycle({ nodes, edges: dag.edges });
    if (!cycle) return;
    out.errors.push({
      ...diag('cycle', `cycle: ${cycle.join(' → ')}`, 'dag.edges', cycle[0]),
      cycle,
    });
    for (const id of cycle) delete nodes[id];
  }
}

/** `at` locates the task fields: the node itself, or a map node's inner `node`. */
function checkTask(id: string, node: TaskNode | MapInnerNode, at: string, out: Diagnostics): void {
  if (!node.task) {
    out.errors.push(diag('missing_task', `node ${id} has no task`, `${at}.task`, id));
    return;
  }
  const type = findTaskType(node.task);
  if (!type) {
    out.errors.push(diag('unknown_task', unknownTaskMessage(node.task), `${at}.task`, id));
  } else if (!type.builtin && !node.model_id) {
    const msg = `node ${id} runs ${node.task}, which needs a model_id`;
    out.errors.push(diag('missing_model', msg, `${at}.model_id`, id));
  }
}

/** Names the task family's members when the family exists, else the families themselves. */
function unknownTaskMessage(task: string): string {
  const names = Object.keys(TASK_TYPES);
  const slash = task.indexOf('/');
  const family = slash > 0 ? task.slice(0, slash + 1) : undefined;
  const sameFamily = family ? names.filter((n) => n.startsWith(family)) : [];
  if (sameFamily.length > 0) {
    return `unknown task '${task}'; known ${family}* tasks: ${sameFamily.join(', ')}`;
  }
  const families = [...new Set(names.map((n) => (n.includes('/') ? `${n.split('/')[0]}/*` : n)))];
  return `unknown task '${task}'; known task families: ${families.join(', ')}`;
}

interface ReferenceContext {
  dag: Dag;
  ancestors: Set<string>;
  settings: Settings | undefined;
  /** Input names already warned about, so each undeclared input is reported once. */
  undeclared: Set<string>;
  /** True inside a map node's inner node, where every template sees its element as `item`. */
  itemBound?: boolean;
}

function checkReference(r: TemplateReference, id: string, ctx: ReferenceContext, out: Diagnostics) {
  const shown = `\${${r.expr}}`;
  if (r.ref.root === 'item') {
    if (r.inEach || ctx.itemBound) return;
    const msg = `${shown} is only defined inside a $each template or a map node's inner node`;
    out.errors.push(diag('invalid_template', msg, r.path, id));
  } else if (r.ref.root === 'input') {
    const name = String(r.ref.path[0]);
    if (ctx.settings?.input_params?.[name] !== undefined || ctx.undeclared.has(name)) return;
    ctx.undeclared.add(name);
    const msg = `${shown} reads input '${name}', which settings.input_params does not declare`;
    out.warnings.push(diag('undeclared_input', msg, r.path, id));
  } else {
    checkNodeReference(r, id, ctx, out);
  }
}

function checkNodeReference(
  r: TemplateReference,
  id: string,
  ctx: ReferenceContext,
  out: Diagnostics,
) {
  const shown = `\${${r.expr}}`;
  const target = r.ref.nodeId!;
  const node = Object.hasOwn(ctx.dag.nodes, target) ? ctx.dag.nodes[target] : undefined;
  if (!node) {
    const known = nodeIdsOf(ctx.dag).join(', ');
    const msg = `${shown} reads unknown node '${target}' (nodes: ${known})`;
    out.errors.push(diag('reference_unknown_node', msg, r.path, id));
  } else if (target === id) {
    const msg = `${shown}: node ${id} cannot read its own result`;
    out.errors.push(diag('reference_not_upstream', msg, r.path, id));
  } else if (!ctx.ancestors.has(target)) {
    const msg = `${shown}: node '${target}' is not upstream of '${id}'; add an edge { "from": "${target}", "to": "${id}" }`;
    out.errors.push(diag('reference_not_upstream', msg, r.path, id));
  } else if (!matchesDeclaredOutput(r.ref.path, declaredOutputs(node))) {
    const declared = declaredOutputs(node)!.join(', ');
    const msg = `${shown}: node '${target}' declares outputs ${declared}, none covering ${formatPath(r.ref.path)}`;
    out.type_issues.push(diag('unknown_output', msg, r.path, id));
  }
}

/** What a node's result is known to hold: a task's declared outputs, a map's `items`. */
function declaredOutputs(node: DagNode): string[] | undefined {
  if (node.type === 'task') return node.outputs;
  return node.type === 'map' ? ['items'] : undefined;
}

/**
 * A path matches when it is a prefix of a declared output or extends one (`video` and
 * `video.url.x` both match `video.url`). Nodes without declared outputs accept anything.
 */
function matchesDeclaredOutput(path: (string | number)[], outputs: string[] | undefined): boolean {
  if (!outputs || outputs.length === 0 || path.length === 0) return true;
  const wanted = path.map(String);
  return outputs.some((output) => {
    let declared: string[];
    try {
      declared = parsePath(output).map(String);
    } catch {
      return true; // an unparsable declaration cannot rule anything out
    }
    const n = Math.min(declared.length, wanted.length);
    return declared.slice(0, n).every((seg, i) => seg === wanted[i]);
  });
}
