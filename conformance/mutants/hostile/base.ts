/**
 * What every hostile engine builds on: the reference's answers and features, so that whatever the
 * engine does wrong is its hostility alone (spec/adapter.md §4.1: each must end with the right verdict).
 */
import type { LayerCase } from "../../case.ts";
import type { Engine, EngineOutputs } from "../../engine.ts";
import { referenceEngine } from "../../engines/reference.ts";

// Not `gradients`: a hostile engine has no gradients(); its hostility is in run() (spec/gradients.md §7.1).
export const features = referenceEngine.features.filter((f) => f !== "gradients");

export const correct = (c: LayerCase): EngineOutputs => referenceEngine.run(c) as EngineOutputs;

/** Keras's output shapes filled with zeros: wrong for every case with a nonzero output. */
export const zeros = (c: LayerCase): EngineOutputs => correct(c).map((outs) => outs.map((t) => ({ shape: [...t.shape], data: new Float32Array(t.data.length) })));

export function hostile(name: string, run: Engine["run"], close?: Engine["close"]): Engine {
  return { name: `hostile/${name}`, version: "1.0.0", features, run, ...(close ? { close } : {}) };
}
