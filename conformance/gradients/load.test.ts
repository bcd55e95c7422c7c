/**
 * The gradient loader's refusals (spec/gradients.md §5): each names the file, the case and the JSON
 * pointer, drops only what it must, and never lets a value through that would load as something
 * other than what Keras wrote.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatLoadError } from "../fixtures/load-error.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { isGradientFile, loadGradientDir, loadGradientFile } from "./load.ts";

type Json = Record<string, unknown>;
const committed = JSON.parse(readFileSync(join(defaultFixturesDir(), "keras3/gradients/lstm.json"), "utf8")) as Json & { gradient_cases: Json[] };
const byId = (id: string): Json => structuredClone(committed.gradient_cases.find((c) => c["id"] === id)!);

/** A one-file corpus of `cases` (cloned from the committed LSTM file), loaded; the messages formatted. */
function load(cases: Json[], top: Json = {}): { ids: string[]; messages: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "krc-grad-"));
  const path = join(dir, "g.json");
  writeFileSync(path, JSON.stringify({ ...committed, gradient_cases: cases, ...top }));
  const r = loadGradientFile(path, "g.json");
  return { ids: r.cases.map((c) => c.id), messages: r.errors.map(formatLoadError) };
}

const setAt = (json: unknown, pointer: string, value: unknown): void => {
  const tokens = pointer.split("/").slice(1);
  const last = tokens.pop()!;
  const parent = tokens.reduce<unknown>((v, t) => (v as Record<string, unknown>)[t], json);
  (parent as Record<string, unknown>)[last] = value;
};

const plain = "lstm/gradients/outputs/rs_true_rst_true/001";
const withState = "lstm/gradients/outputs/initial_state/001";

describe("loadGradientFile", () => {
  it("decodes a case: layers, inputs, cotangents, gradients, float32 data", () => {
    const dir = mkdtempSync(join(tmpdir(), "krc-grad-"));
    writeFileSync(join(dir, "g.json"), JSON.stringify({ ...committed, gradient_cases: [byId(withState)] }));
    const { cases, errors } = loadGradientFile(join(dir, "g.json"));
    expect(errors).toEqual([]);
    const c = cases[0]!;
    expect(c.cotangents[0]!.map((t) => t.shape)).toEqual(c.expected[0]!.outputs.map((t) => t.shape));
    expect(c.expected[0]!.layers[0]!.kernel.data).toBeInstanceOf(Float32Array);
    expect(c.expected[0]!.initialState).toHaveLength(2);
    expect(c.tolerance.source).toBe("policy");
  });

  it("drops a case whose cotangent has the wrong shape, naming file, case and pointer; the others load", () => {
    const bad = byId(plain);
    setAt(bad, "/calls/0/cotangents/0/shape", [3, 4]);
    const { ids, messages } = load([bad, byId(withState)]);
    expect(ids).toEqual([withState]);
    expect(messages.join("\n")).toMatch(/g\.json.*rs_true_rst_true\/001.*\/gradient_cases\/0\/calls\/0\/cotangents\/0\/data: must have 12 values/);
  });

  it("refuses gradients that do not name the layer's weights, or miss the initial state's", () => {
    const names = byId(plain);
    setAt(names, "/calls/0/gradients/layers/0/weights/0/name", "W_ih");
    const noState = byId(withState);
    delete (noState["calls"] as Json[])[0]!["gradients"]!["initial_state" as keyof unknown];
    const { ids, messages } = load([names, noState]);
    expect(ids).toEqual([]);
    expect(messages.join("\n")).toMatch(/weights: must be \[kernel, recurrent_kernel, bias\] as the layer's weights, has \[W_ih, recurrent_kernel, bias\]/);
    expect(messages.join("\n")).toMatch(/initial_state: is missing: the first recurrent layer starts from a given or stateful state/);
  });

  it("refuses a value that overflows float32 (it would load as Infinity and match an engine's Infinity)", () => {
    const c = byId(plain);
    setAt(c, "/calls/0/gradients/x/data/3", 1e39);
    const { ids, messages } = load([c]);
    expect(ids).toEqual([]);
    expect(messages.join("\n")).toMatch(/\/gradient_cases\/0\/calls\/0\/gradients\/x\/data\/3: overflows float32/);
  });

  it("refuses an id outside the file's family and a file without gradient cases", () => {
    const c = byId(plain);
    c["id"] = "gru/gradients/outputs/x/001";
    expect(load([c]).messages.join("\n")).toMatch(/id must start with the file's family "lstm\/gradients\/"/);
    expect(load([]).messages.join("\n")).toMatch(/gradient_cases.*must NOT have fewer than 1 items/);
  });

  it("a forward fixture file is not a gradient file, and the forward loader leaves gradient files aside", () => {
    const forward = JSON.parse(readFileSync(join(defaultFixturesDir(), "keras3/lstm/sizes.json"), "utf8")) as unknown;
    expect(isGradientFile(forward)).toBe(false);
    expect(isGradientFile(committed)).toBe(true);
    expect("format_version" in committed || "cases" in committed).toBe(false); // conformance/fixtures/load.ts reads only those
  });
});

describe("loadGradientDir", () => {
  it("checks the manifest: an altered gradient file is an error and not loaded", () => {
    const dir = mkdtempSync(join(tmpdir(), "krc-grad-"));
    const text = JSON.stringify({ ...committed, gradient_cases: [byId(plain)] });
    writeFileSync(join(dir, "g.json"), text);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ format_version: 1, files: [{ path: "g.json", sha256: "0".repeat(64), bytes: 1, cases: 1 }] }));
    const r = loadGradientDir(dir);
    expect(r.cases).toEqual([]);
    expect(r.errors.map(formatLoadError).join("\n")).toMatch(/g\.json: sha256 [0-9a-f]{64} does not match manifest\.json/);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ format_version: 1, files: [] }));
    expect(loadGradientDir(dir).errors.map(formatLoadError).join("\n")).toMatch(/not listed in manifest\.json/);
  });
});
