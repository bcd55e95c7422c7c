/**
 * A diagnosis hypothesis: one known porting mistake, expressed as what an engine making that mistake
 * would return for a case. The prediction is computed by the oracle (the float64 reference, the spec
 * in code) on a transformed case and/or by transforming its outputs, so a hypothesis never carries
 * LSTM math of its own.
 */
import type { LayerCase } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";

/** Computes a case with the oracle (the reference engine). */
export type Oracle = (c: LayerCase) => Promise<EngineOutputs>;

export interface Hypothesis {
  /** Stable id, e.g. `gate-order:iofc`; mutants name the id they expect. */
  readonly id: string;
  /** What a porter reads: "your engine matches Keras if …". */
  readonly explanation: string;
  /**
   * What an engine with this mistake returns for `c`, or null when the mistake cannot be expressed
   * for this case (shapes do not allow it, or the option it concerns is not used).
   */
  predict(c: LayerCase, oracle: Oracle): Promise<EngineOutputs | null>;
}
