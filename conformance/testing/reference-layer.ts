/**
 * The reference's own layer as a layer engine's function, for the suite's tests and test engines:
 * one layer call computed as a one-layer model called once (reference/model.ts), the final state
 * always returned — [h, c] for an LSTM, [h] otherwise (conformance/cells.ts).
 */
import { runModel, type ModelLayer } from "../../reference/index.ts";
import type { RecurrentConfig } from "../case.ts";
import type { GruLayerOutputs, LayerEngine, LstmLayerOutputs, RecurrentLayerCall, RecurrentLayerOutputs } from "../engine.ts";

export interface ReferenceLayerOptions {
  /** Reply with every step's output (`sequence`) instead of the output Keras returns. */
  readonly sequence?: boolean;
  /** Config keys to override, e.g. to return sequences. */
  readonly config?: Partial<RecurrentConfig>;
}

/** One layer call, any cell, computed by the reference. */
export function referenceLayerCall(call: RecurrentLayerCall, options: ReferenceLayerOptions = {}): RecurrentLayerOutputs {
  const { weights: w, x, mask, initialState } = call;
  const config = { ...call.config, ...options.config, return_state: true, stateful: false, ...(options.sequence ? { return_sequences: true } : {}) };
  // The call's class and config belong together (RecurrentLayerCall is a union of matching pairs).
  const layer = { className: call.className, config, weights: { kernel: w.kernel.data, recurrent_kernel: w.recurrent_kernel.data, bias: w.bias?.data ?? null } } as ModelLayer;
  const [output, h, c] = runModel(
    [layer],
    [{ x: x.data, shape: [x.shape[0]!, x.shape[1]!, x.shape[2]!], ...(mask ? { mask: mask.data } : {}), ...(initialState ? { initialState: initialState.map((s) => s.data) } : {}) }],
    call.dialect,
  )[0]!.outputs;
  const states = c === undefined ? { h: h! } : { h: h!, c };
  return (options.sequence ? { sequence: output!, ...states } : { output: output!, ...states }) as RecurrentLayerOutputs;
}

/** `f` as each of a layer engine's functions: an engine that implements every cell with one function. */
export function everyCell(f: (call: RecurrentLayerCall) => RecurrentLayerOutputs | Promise<RecurrentLayerOutputs>): Required<Pick<LayerEngine, "lstm" | "gru" | "simpleRnn">> {
  return {
    lstm: (call) => f(call) as LstmLayerOutputs | Promise<LstmLayerOutputs>,
    gru: (call) => f(call) as GruLayerOutputs | Promise<GruLayerOutputs>,
    simpleRnn: (call) => f(call) as GruLayerOutputs | Promise<GruLayerOutputs>,
  };
}
