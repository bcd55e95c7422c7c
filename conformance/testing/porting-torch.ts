/**
 * Test support for the PyTorch porting proofs (pytorch-e2e.test.ts, bidirectional-e2e.test.ts): Keras
 * layers as conformance/porting/torch_check.py takes them — each an `nn.LSTM`, `nn.GRU` or `nn.RNN`, its
 * weights converted by the cell's converter (spec/porting.md §3, §14.1, §15.1), a `Bidirectional` one
 * module with `bidirectional=True` (§18) — and the script run in the project venv's Python.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { BidirectionalLayer, LayerCase, RecurrentLayer, SequenceLayer } from "../case.ts";
import { sequenceLayers } from "../case.ts";
import type { BiasSplit } from "../porting/gates.ts";
import { kerasGruToPytorchStateDict } from "../porting/gru.ts";
import { kerasToPytorchStateDict } from "../porting/pytorch.ts";
import { kerasSimpleRnnToPytorchStateDict } from "../porting/simple-rnn.ts";

export const torchPython = join(import.meta.dirname, "..", "..", ".venv", "bin", "python");
const script = join(import.meta.dirname, "..", "porting", "torch_check.py");

/** Whether the venv's Python has torch (the proofs are skipped, with the reason, without it). */
export const torchAvailable = (): boolean => existsSync(torchPython) && spawnSync(torchPython, ["-c", "import torch"], { encoding: "utf8" }).status === 0;

/** Why a layer has no PyTorch module that computes it, or undefined (spec/porting.md §3, §14.1, §15.1). */
export function layerInexpressible(l: Pick<RecurrentLayer, "className" | "config">): string | undefined {
  const c = l.config;
  if (c.stateful) return "stateful";
  if (l.className === "SimpleRNN") return c.activation === "tanh" || c.activation === "relu" ? undefined : `nn.RNN has no ${c.activation}`;
  if (c.activation !== "tanh" || c["recurrent_activation"] !== "sigmoid") return `${l.className === "GRU" ? "nn.GRU" : "nn.LSTM"} has tanh/sigmoid only`;
  if (l.className === "GRU" && c["reset_after"] !== true) return "reset_after=False (nn.GRU is reset-after, spec/gru.md §6 Q1)";
  return undefined;
}

/** Why one module with bidirectional=True cannot hold this Bidirectional's two layers, or undefined (spec/porting.md §18). */
export function bidirectionalInexpressible(l: BidirectionalLayer): string | undefined {
  const { forward: f, backward: b } = l;
  const own = layerInexpressible(f) ?? layerInexpressible(b);
  if (own !== undefined) return own;
  if (f.className !== b.className) return `one module has one cell: ${f.className} forward, ${b.className} backward`;
  if (f.config.units !== b.config.units) return "one module has one hidden_size: the two layers' units differ";
  if (f.config.use_bias !== b.config.use_bias) return "one module has bias for both directions or neither";
  if (f.className === "SimpleRNN" && f.config.activation !== b.config.activation) return "one nn.RNN has one nonlinearity";
  if (f.config.go_backwards === b.config.go_backwards) return "both layers run the same way";
  return undefined;
}

/** Why torch cannot run this case as it stands (masks, several calls, a layer no module computes), or undefined. */
export function caseInexpressible(c: LayerCase): string | undefined {
  if (c.layers.some((l) => l.className === "Masking")) return "Masking layer";
  if (c.calls.some((call) => call.mask)) return "mask";
  if (c.calls.length !== 1) return "several calls";
  return sequenceLayers(c)
    .map((l) => (l.className === "Bidirectional" ? bidirectionalInexpressible(l) : layerInexpressible(l)))
    .find((why) => why !== undefined);
}

/** One Keras layer (or a Bidirectional's two, `backward` in the `_reverse` parameters) as torch_check.py takes it. */
export function torchLayer(forward: Pick<RecurrentLayer, "className" | "config" | "weights">, backward: RecurrentLayer["weights"] | undefined, biasSplit: BiasSplit, returnState: boolean) {
  const stack = [{ forward: forward.weights, ...(backward ? { backward } : {}) }];
  const c = forward.config;
  const common = { input_size: forward.weights.kernel.shape[0], hidden_size: c.units, bias: c.use_bias, bidirectional: backward !== undefined, go_backwards: backward === undefined && c.go_backwards, return_sequences: c.return_sequences, return_state: returnState };
  switch (forward.className) {
    case "LSTM":
      return { ...common, module: "lstm", state_dict: kerasToPytorchStateDict(stack, { biasSplit }) };
    case "GRU":
      // both bias rows are kept apart, never split: there is no policy to cycle (spec/porting.md §14.1)
      return { ...common, module: "gru", state_dict: kerasGruToPytorchStateDict(stack) };
    case "SimpleRNN":
      return { ...common, module: "rnn", nonlinearity: c.activation, state_dict: kerasSimpleRnnToPytorchStateDict(stack, { biasSplit }) };
  }
}

/**
 * A Bidirectional as one module (spec/porting.md §18): torch's direction 0 runs forwards, so it holds
 * Keras's forward layer — or, when tf-keras toggled that layer to go backwards, the backward one,
 * whose weights then go in `_l0` and the forward layer's in `_l0_reverse` (`forward_slot` 1).
 */
export function torchBidirectional(l: BidirectionalLayer, biasSplit: BiasSplit, returnState: boolean) {
  const forwardSlot = l.forward.config.go_backwards ? 1 : 0;
  const [d0, d1] = forwardSlot === 0 ? [l.forward, l.backward] : [l.backward, l.forward];
  return { ...torchLayer({ className: d0.className, config: l.forward.config, weights: d0.weights } as RecurrentLayer, d1.weights, biasSplit, returnState), merge_mode: l.config.merge_mode, forward_slot: forwardSlot };
}

/** A case's layers for torch_check.py; return_state only on the last (inner layers hand their sequence on). */
export function torchLayers(c: LayerCase, biasSplit: BiasSplit) {
  const layers = sequenceLayers(c);
  const returnState = (l: SequenceLayer, k: number): boolean => k === layers.length - 1 && (l.className === "Bidirectional" ? l.forward.config.return_state : l.config.return_state);
  return layers.map((l, k) => (l.className === "Bidirectional" ? torchBidirectional(l, biasSplit, returnState(l, k)) : torchLayer(l, undefined, biasSplit, returnState(l, k))));
}

export interface TorchResult {
  readonly id: string;
  readonly outputs?: { shape: number[]; data: number[] }[];
  readonly error?: string;
}

/** Runs torch_check.py on the cases; throws with its stderr when the script itself fails. */
export function runTorch(cases: readonly unknown[]): TorchResult[] {
  const json = JSON.stringify({ cases }, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
  const run = spawnSync(torchPython, [script], { input: json, encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`torch_check.py failed (${run.status}): ${run.stderr}`);
  return (JSON.parse(run.stdout) as { results: TorchResult[] }).results;
}
