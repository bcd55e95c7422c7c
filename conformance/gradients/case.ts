/**
 * What a gradient case is (spec/gradients.md §2, §5): a forward case — layers, calls, inputs, in the
 * encoding of spec/fixture-format.md — plus, per call, a cotangent for every tensor the model returns
 * and the gradients Keras computed for them. `GradientAnswer` is what an engine with the gradient
 * capability returns for one call (spec/gradients.md §7).
 */
import type { LayerCase, Tolerance } from "../case.ts";
import type { Tensor } from "../tensor.ts";

/** ∂L/∂ one recurrent layer's weights, each in the weight's Keras shape (get_weights() order, §2.2). */
export interface LayerWeightGradients<T = Tensor> {
  /** The layer's index in the case's layers (Masking included). */
  readonly layer: number;
  readonly kernel: T;
  readonly recurrent_kernel: T;
  /** Exactly when the layer has use_bias; a reset_after GRU's is (2, 3·units). */
  readonly bias?: T;
}

/** The gradients of one call: weights of every recurrent layer, x, and the first recurrent layer's initial state when it is an input (§3.4). */
export interface CallGradients<T = Tensor> {
  readonly layers: readonly LayerWeightGradients<T>[];
  readonly x: T;
  readonly initialState?: readonly T[];
}

/** What Keras computed for one call: the forward outputs (as in a forward fixture) and the gradients. */
export interface ExpectedGradientCall extends CallGradients {
  readonly outputs: readonly Tensor[];
}

/** How another backend's gradients compared with the canonical TensorFlow run (§6.1). */
export interface GradientBackendRun {
  readonly maxAbs: number;
  readonly maxRel: number;
  /** max |a − e| / max(1, max |e|) per tensor: the spread in units of the policy's atol (§6.2). */
  readonly maxScaled: number;
  readonly outputMaxAbs: number;
  readonly agrees: boolean;
  readonly note?: string;
  /** That backend's gradients, when they do not agree (§6.1). */
  readonly gradients?: readonly CallGradients[];
}

export interface GradientCase extends LayerCase {
  readonly description: string;
  readonly seed: number;
  readonly file: string;
  /** Per call, one cotangent per returned tensor, in Keras's order ([output] or [output, ...states]). */
  readonly cotangents: readonly (readonly Tensor[])[];
  readonly expected: readonly ExpectedGradientCall[];
  /** Read by the gradient rule of §6.3 (not the forward rule). */
  readonly tolerance: Tolerance;
  readonly backends: Readonly<Record<string, GradientBackendRun>>;
}

/** An engine's answer for one call: the gradients, and optionally the outputs its forward computed. */
export interface GradientAnswer<T extends { readonly shape: readonly number[]; readonly data: ArrayLike<number> } = Tensor> extends CallGradients<T> {
  readonly outputs?: readonly T[];
}

/**
 * What a model engine's `gradients()` receives (spec/gradients.md §7.2): the case's forward part, as
 * `run` gets it (id, dialect, layers, calls — never Keras's outputs or gradients), plus per call one
 * cotangent per tensor the model returns, in Keras's order ([output] or [output, ...states]).
 */
export interface GradientRequest extends LayerCase {
  readonly cotangents: readonly (readonly Tensor[])[];
}

/** Whether a case of a run is a gradient case (it carries cotangents) rather than a forward one. */
export const isGradientCase = (c: object): c is GradientCase => "cotangents" in c && "expected" in c;

/**
 * A gradient case's family for reports: the cell, `gradients` and the option family
 * (`lstm/gradients/masking`, spec/gradients.md §7.4) — one segment deeper than a forward family,
 * since every gradient case of a cell would otherwise be one family.
 */
export function gradientFamilyOf(id: string): string {
  return id.split("/").slice(0, 3).join("/");
}
