/**
 * Reads gradient fixture files (spec/gradients.md §5) into `GradientCase`s, in the three layers of
 * the forward loader (conformance/fixtures/load.ts):
 *  1. JSON, and `spec/gradient-fixture.schema.json` (which references spec/fixture.schema.json for
 *     layers, inputs, tensors and their float32 bound, so a value that overflows float32 is refused);
 *  2. what the schema cannot say: tensors fill their shapes; ids start with the family; weights are
 *     `get_weights()` of the layer's cell; the outputs are `[output]` or `[output, ...states]`; a
 *     cotangent has its output's shape; the gradients name every recurrent layer in order with its
 *     weights' names and shapes, x's shape, and an initial-state gradient exactly when the first
 *     recurrent layer starts from a given or stateful state (§3.4);
 *  3. with a manifest, the file's sha256 (spec/fixture-format.md §6).
 * A schema error inside one case drops that case; one outside any case drops the file. Every drop
 * is an error naming the file, the case and the JSON pointer.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import type { CallInputs, Layer, MaskingLayer, RecurrentLayer } from "../case.ts";
import { CELLS, isCellClassName, outputNamesOf } from "../cells.ts";
import type { LoadError } from "../fixtures/load-error.ts";
import { specFile } from "../package-paths.ts";
import { formatShape, sizeOf, type BoolTensor, type Tensor } from "../tensor.ts";
import { describeThrown } from "../untrusted.ts";
import type { CallGradients, ExpectedGradientCall, GradientBackendRun, GradientCase } from "./case.ts";

export interface GradientLoadResult {
  readonly cases: GradientCase[];
  readonly errors: LoadError[];
}

interface RawTensor {
  readonly name?: string;
  readonly dtype: "float32" | "bool";
  readonly shape: number[];
  readonly data: (number | boolean)[];
}
interface RawLayer {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
  readonly weights?: RawTensor[];
}
interface RawGradients {
  readonly layers: { readonly layer: number; readonly weights: RawTensor[] }[];
  readonly x: RawTensor;
  readonly initial_state?: RawTensor[];
}
interface RawCall {
  readonly inputs: { readonly x: RawTensor; readonly mask?: RawTensor; readonly initial_state?: RawTensor[] };
  readonly outputs: RawTensor[];
  readonly cotangents: RawTensor[];
  readonly gradients: RawGradients;
}
interface RawBackend {
  readonly max_abs: number;
  readonly max_rel: number;
  readonly max_scaled: number;
  readonly output_max_abs: number;
  readonly agrees: boolean;
  readonly note?: string;
  readonly gradients?: RawGradients[];
}
interface RawCase {
  readonly id: string;
  readonly description: string;
  readonly seed: number;
  readonly layers: RawLayer[];
  readonly calls: RawCall[];
  readonly tolerance: { readonly atol: number; readonly rtol: number; readonly source: string };
  readonly backends: Record<string, RawBackend>;
}
interface RawFile {
  readonly family: string;
  readonly provenance: { readonly keras_package: "keras" | "tf_keras" };
  readonly gradient_cases: RawCase[];
}

let validator: ValidateFunction | undefined;

/** The gradient schema, with the forward schema it references; compiled once per process. */
function gradientValidator(): ValidateFunction {
  if (validator === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(readFileSync(specFile("fixture.schema.json"), "utf8")) as object);
    validator = ajv.compile(JSON.parse(readFileSync(specFile("gradient-fixture.schema.json"), "utf8")) as object);
  }
  return validator;
}

const MAX_ERRORS_PER_CASE = 5;

function describeAjvError(e: ErrorObject): string {
  if ((e.keyword === "exclusiveMaximum" || e.keyword === "exclusiveMinimum") && e.schemaPath.includes("/$defs/float32/")) {
    return "overflows float32: fixture values must be finite float32 (spec/fixture-format.md §3.3)";
  }
  const params = e.params as Record<string, unknown>;
  if (typeof params["additionalProperty"] === "string") return `${e.message ?? "invalid"}: '${params["additionalProperty"]}'`;
  return e.message ?? "invalid";
}

/** Whether parsed JSON is a gradient fixture file (its own top-level key, spec/gradients.md §5.1). */
export const isGradientFile = (json: unknown): boolean => typeof json === "object" && json !== null && "gradient_format_version" in json;

/** Loads one gradient fixture file; `file` names it in messages. */
export function loadGradientFile(path: string, file = path): GradientLoadResult {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { cases: [], errors: [{ file, message: `cannot be read as JSON: ${describeThrown(e)}` }] };
  }
  return parseGradientJson(json, file);
}

/**
 * Every gradient file under `dir` (recursively; forward fixture files and other JSON are not
 * gradient files and are left to their own loader). With `dir/manifest.json`, each gradient file
 * must be listed with its sha256; a listed one that is altered is an error and not loaded.
 */
export function loadGradientDir(dir: string): GradientLoadResult {
  const errors: LoadError[] = [];
  const cases: GradientCase[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { cases, errors: [{ file: dir, message: "not a directory" }] };
  const manifestPath = join(dir, "manifest.json");
  const manifest = existsSync(manifestPath)
    ? new Map(((JSON.parse(readFileSync(manifestPath, "utf8")) as { files?: { path: string; sha256: string }[] }).files ?? []).map((f) => [f.path, f.sha256]))
    : undefined;
  const walk = (sub: string): string[] =>
    readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) => {
      const rel = sub === "" ? e.name : `${sub}/${e.name}`;
      if (e.isDirectory()) return e.name === "models" || e.name.startsWith(".") ? [] : walk(rel);
      return e.isFile() && e.name.endsWith(".json") && rel !== "manifest.json" ? [rel] : [];
    });
  for (const rel of walk("").sort()) {
    const full = join(dir, rel);
    const file = relative(process.cwd(), full).split(sep).join("/") || full;
    const bytes = readFileSync(full);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      if (rel.includes("gradients/")) errors.push({ file, message: `cannot be read as JSON: ${describeThrown(e)}` });
      continue; // another loader's file
    }
    if (!isGradientFile(json)) continue;
    if (manifest !== undefined) {
      const want = manifest.get(rel);
      const got = createHash("sha256").update(bytes).digest("hex");
      if (want === undefined) {
        errors.push({ file, message: "gradient fixture file not listed in manifest.json (regenerate with scripts/generate_gradients.py)" });
        continue;
      }
      if (want !== got) {
        errors.push({ file, message: `sha256 ${got} does not match manifest.json (${want}): the file was changed after generation; its cases are not run` });
        continue;
      }
    }
    const r = parseGradientJson(json, file);
    cases.push(...r.cases);
    errors.push(...r.errors);
  }
  const seen = new Map<string, string>();
  for (const c of cases) {
    const first = seen.get(c.id);
    if (first !== undefined) errors.push({ file: c.file, caseId: c.id, message: `duplicate id (also in ${first}); ids must be unique` });
    else seen.set(c.id, c.file);
  }
  return { cases, errors };
}

/** Validates parsed JSON as a gradient file and decodes its cases. */
export function parseGradientJson(json: unknown, file: string): GradientLoadResult {
  const validate = gradientValidator();
  const errors: LoadError[] = [];
  const bad = new Set<number>();
  const rawCases = (json as { gradient_cases?: unknown } | null)?.gradient_cases;
  const idOf = (i: number): string => {
    const id = Array.isArray(rawCases) ? (rawCases[i] as { id?: unknown } | undefined)?.id : undefined;
    return typeof id === "string" ? id : `#${i}`;
  };
  if (!validate(json)) {
    const perCase = new Map<number, number>();
    let fileLevel = false;
    for (const e of validate.errors ?? []) {
      const m = /^\/gradient_cases\/(\d+)(\/|$)/.exec(e.instancePath);
      if (m === null) {
        fileLevel = true;
        errors.push({ file, pointer: e.instancePath, message: describeAjvError(e) });
        continue;
      }
      const i = Number(m[1]);
      bad.add(i);
      const n = perCase.get(i) ?? 0;
      perCase.set(i, n + 1);
      if (n < MAX_ERRORS_PER_CASE) errors.push({ file, caseId: idOf(i), pointer: e.instancePath, message: describeAjvError(e) });
    }
    if (fileLevel) return { cases: [], errors };
  }
  const raw = json as RawFile;
  const cases: GradientCase[] = [];
  raw.gradient_cases.forEach((rc, i) => {
    if (bad.has(i)) return;
    try {
      const problems = checkCase(rc, raw.family, `/gradient_cases/${i}`);
      if (problems.length > 0) errors.push(...problems.map((p) => ({ file, caseId: rc.id, pointer: p.pointer, message: p.message })));
      else cases.push(decodeCase(rc, file, raw.provenance.keras_package === "tf_keras" ? "tf-keras" : "keras3"));
    } catch (e) {
      errors.push({ file, caseId: rc.id, pointer: `/gradient_cases/${i}`, message: `cannot be read: ${describeThrown(e)}` });
    }
  });
  return { cases, errors };
}

interface Problem {
  readonly pointer: string;
  readonly message: string;
}

function checkCase(rc: RawCase, family: string, at: string): Problem[] {
  const problems: Problem[] = [];
  const fills = (t: RawTensor, ptr: string): void => {
    const n = sizeOf(t.shape);
    if (t.data.length !== n) problems.push({ pointer: `${ptr}/data`, message: `must have ${n} values for shape ${formatShape(t.shape)}, has ${t.data.length}` });
  };
  const expectShape = (t: RawTensor, shape: readonly number[], ptr: string, what: string): void => {
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      problems.push({ pointer: `${ptr}/shape`, message: `${what} must have shape ${formatShape(shape)}, has ${formatShape(t.shape)}` });
    }
  };
  if (!rc.id.startsWith(`${family}/`)) problems.push({ pointer: `${at}/id`, message: `id must start with the file's family "${family}/"` });

  // The model: weights as get_weights() of each layer's cell; Masking only in front (spec/gradients.md §5.2).
  const x0 = rc.calls[0]!.inputs.x;
  const [B = 0, T = 0] = x0.shape;
  let dim = x0.shape[2] ?? 0;
  const recurrent: { index: number; units: number; weights: readonly { name: string; shape: readonly number[] }[]; states: readonly string[]; stateful: boolean }[] = [];
  rc.layers.forEach((l, li) => {
    const lp = `${at}/layers/${li}`;
    if (l.class_name === "Masking") {
      if (li !== 0) problems.push({ pointer: lp, message: "a Masking layer is read in front of the first recurrent layer only (spec/gradients.md §5.2)" });
      if (typeof l.config["mask_value"] !== "number") problems.push({ pointer: `${lp}/config/mask_value`, message: "must be a number" });
      return;
    }
    if (!isCellClassName(l.class_name)) {
      problems.push({ pointer: `${lp}/class_name`, message: `${l.class_name} layers have no gradient cases in gradient format 1 (spec/gradients.md §3.6)` });
      return;
    }
    const cell = CELLS[l.class_name];
    const cfg = l.config as { units: number; return_state?: boolean; stateful?: boolean; use_bias?: boolean; reset_after?: boolean };
    const shapes = cell.weights(cfg, dim);
    const names = (l.weights ?? []).map((w) => w.name);
    if (names.join() !== shapes.map((s) => s.name).join()) {
      problems.push({ pointer: `${lp}/weights`, message: `must be [${shapes.map((s) => s.name).join(", ")}] for this ${l.class_name}, has [${names.join(", ")}]` });
    } else {
      l.weights!.forEach((w, k) => {
        fills(w, `${lp}/weights/${k}`);
        expectShape(w, shapes[k]!.shape, `${lp}/weights/${k}`, `${w.name} (${cell.chapter} §1.1)`);
      });
    }
    recurrent.push({ index: li, units: cfg.units, weights: shapes, states: cell.states, stateful: cfg.stateful === true });
    dim = cfg.units;
  });
  if (recurrent.length === 0) {
    problems.push({ pointer: `${at}/layers`, message: "has no recurrent layer (LSTM, GRU, SimpleRNN)" });
    return problems;
  }
  const first = recurrent[0]!;
  const last = recurrent.at(-1)!;
  const lastLayer = rc.layers[last.index]!;
  const outNames = outputNamesOf(CELLS[lastLayer.class_name as keyof typeof CELLS], lastLayer.config["return_state"] === true);

  rc.calls.forEach((call, ci) => {
    const cp = `${at}/calls/${ci}`;
    fills(call.inputs.x, `${cp}/inputs/x`);
    expectShape(call.inputs.x, [B, T, x0.shape[2] ?? 0], `${cp}/inputs/x`, "x (every call has the first call's shape)");
    if (call.inputs.mask) {
      fills(call.inputs.mask, `${cp}/inputs/mask`);
      expectShape(call.inputs.mask, [B, T], `${cp}/inputs/mask`, "mask");
    }
    const given = call.inputs.initial_state;
    given?.forEach((s, k) => {
      fills(s, `${cp}/inputs/initial_state/${k}`);
      expectShape(s, [B, first.units], `${cp}/inputs/initial_state/${k}`, `${first.states[k] ?? "?"}0`);
    });
    if (given && given.length !== first.states.length) problems.push({ pointer: `${cp}/inputs/initial_state`, message: `must hold ${first.states.length} state(s) of the first recurrent layer, has ${given.length}` });
    // spec/lstm.md §3.2: what the model returned, and a cotangent of the same shape for each (spec/gradients.md §2.1).
    if (call.outputs.length !== outNames.length) problems.push({ pointer: `${cp}/outputs`, message: `must have ${outNames.length} tensor(s) [${outNames.join(", ")}], has ${call.outputs.length}` });
    if (call.cotangents.length !== call.outputs.length) problems.push({ pointer: `${cp}/cotangents`, message: `must have one cotangent per output (${call.outputs.length}), has ${call.cotangents.length}` });
    call.outputs.forEach((o, k) => fills(o, `${cp}/outputs/${k}`));
    call.cotangents.forEach((c, k) => {
      fills(c, `${cp}/cotangents/${k}`);
      const o = call.outputs[k];
      if (o) expectShape(c, o.shape, `${cp}/cotangents/${k}`, `the cotangent of ${outNames[k] ?? `output ${k}`}`);
    });
    const withState = given !== undefined || first.stateful;
    checkGradients(call.gradients, `${cp}/gradients`, call.inputs.x.shape, recurrent, first, withState, problems, fills, expectShape);
    Object.entries(rc.backends).forEach(([name, run]) => {
      const g = run.gradients?.[ci];
      if (g) checkGradients(g, `${at}/backends/${name}/gradients/${ci}`, call.inputs.x.shape, recurrent, first, withState, problems, fills, expectShape);
    });
  });
  Object.entries(rc.backends).forEach(([name, run]) => {
    if (run.gradients && run.gradients.length !== rc.calls.length) problems.push({ pointer: `${at}/backends/${name}/gradients`, message: `must have one entry per call (${rc.calls.length}), has ${run.gradients.length}` });
  });
  return problems;
}

function checkGradients(
  g: RawGradients,
  gp: string,
  xShape: readonly number[],
  recurrent: readonly { index: number; units: number; weights: readonly { name: string; shape: readonly number[] }[]; states: readonly string[] }[],
  first: { units: number; states: readonly string[] },
  withState: boolean,
  problems: Problem[],
  fills: (t: RawTensor, ptr: string) => void,
  expectShape: (t: RawTensor, shape: readonly number[], ptr: string, what: string) => void,
): void {
  const idx = g.layers.map((l) => l.layer);
  const want = recurrent.map((r) => r.index);
  if (idx.join() !== want.join()) {
    problems.push({ pointer: `${gp}/layers`, message: `must name the recurrent layers [${want.join(", ")}] in order, names [${idx.join(", ")}]` });
    return;
  }
  g.layers.forEach((lg, k) => {
    const shapes = recurrent[k]!.weights;
    const names = lg.weights.map((w) => w.name);
    if (names.join() !== shapes.map((s) => s.name).join()) {
      problems.push({ pointer: `${gp}/layers/${k}/weights`, message: `must be [${shapes.map((s) => s.name).join(", ")}] as the layer's weights, has [${names.join(", ")}]` });
      return;
    }
    lg.weights.forEach((w, j) => {
      fills(w, `${gp}/layers/${k}/weights/${j}`);
      expectShape(w, shapes[j]!.shape, `${gp}/layers/${k}/weights/${j}`, `the gradient of ${w.name}`);
    });
  });
  fills(g.x, `${gp}/x`);
  expectShape(g.x, xShape, `${gp}/x`, "the gradient of x");
  if (withState !== (g.initial_state !== undefined)) {
    problems.push({
      pointer: `${gp}/initial_state`,
      message: withState ? "is missing: the first recurrent layer starts from a given or stateful state, an input (spec/gradients.md §3.4)" : "must not be there: the first recurrent layer starts from zeros, a constant",
    });
  }
  g.initial_state?.forEach((s, k) => {
    fills(s, `${gp}/initial_state/${k}`);
    expectShape(s, [xShape[0] ?? 0, first.units], `${gp}/initial_state/${k}`, `the gradient of ${first.states[k] ?? "?"}0`);
  });
  if (g.initial_state && g.initial_state.length !== first.states.length) problems.push({ pointer: `${gp}/initial_state`, message: `must hold ${first.states.length} tensor(s), has ${g.initial_state.length}` });
}

// ---- decoding --------------------------------------------------------------------------------------

/** float32 values parse back to the same bits after rounding to float32 (spec/fixture-format.md §3.3). */
const floatTensor = (t: RawTensor): Tensor => ({ shape: [...t.shape], data: Float32Array.from(t.data as number[]) });
const boolTensor = (t: RawTensor): BoolTensor => ({ shape: [...t.shape], data: Uint8Array.from(t.data as boolean[], (v) => (v ? 1 : 0)) });

function decodeLayer(l: RawLayer): Layer {
  if (l.class_name === "Masking") return { className: "Masking", config: l.config as MaskingLayer["config"] };
  const byName = new Map((l.weights ?? []).map((w) => [w.name, floatTensor(w)]));
  const bias = byName.get("bias");
  return { className: l.class_name, config: l.config, weights: { kernel: byName.get("kernel")!, recurrent_kernel: byName.get("recurrent_kernel")!, ...(bias ? { bias } : {}) } } as RecurrentLayer;
}

function decodeGradients(g: RawGradients): CallGradients {
  return {
    layers: g.layers.map((lg) => {
      const byName = new Map(lg.weights.map((w) => [w.name, floatTensor(w)]));
      const bias = byName.get("bias");
      return { layer: lg.layer, kernel: byName.get("kernel")!, recurrent_kernel: byName.get("recurrent_kernel")!, ...(bias ? { bias } : {}) };
    }),
    x: floatTensor(g.x),
    ...(g.initial_state ? { initialState: g.initial_state.map(floatTensor) } : {}),
  };
}

function decodeBackend(b: RawBackend): GradientBackendRun {
  return {
    maxAbs: b.max_abs,
    maxRel: b.max_rel,
    maxScaled: b.max_scaled,
    outputMaxAbs: b.output_max_abs,
    agrees: b.agrees,
    ...(b.note !== undefined ? { note: b.note } : {}),
    ...(b.gradients ? { gradients: b.gradients.map(decodeGradients) } : {}),
  };
}

function decodeCase(rc: RawCase, file: string, dialect: GradientCase["dialect"]): GradientCase {
  const calls: CallInputs[] = rc.calls.map((c) => ({
    x: floatTensor(c.inputs.x),
    ...(c.inputs.mask ? { mask: boolTensor(c.inputs.mask) } : {}),
    ...(c.inputs.initial_state ? { initialState: c.inputs.initial_state.map(floatTensor) } : {}),
  }));
  const expected: ExpectedGradientCall[] = rc.calls.map((c) => ({ outputs: c.outputs.map(floatTensor), ...decodeGradients(c.gradients) }));
  return {
    id: rc.id,
    dialect,
    description: rc.description,
    seed: rc.seed,
    file,
    layers: rc.layers.map(decodeLayer),
    calls,
    cotangents: rc.calls.map((c) => c.cotangents.map(floatTensor)),
    expected,
    tolerance: { ...rc.tolerance },
    backends: Object.fromEntries(Object.entries(rc.backends).map(([k, b]) => [k, decodeBackend(b)])),
  };
}
