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

/**
 * When a pair of mistakes composes (diagnose.ts, spec/adapter.md §4.2), the lower stage's
 * transformation is applied to the case first: the order in which a port handles its inputs and
 * weights — which mask reaches which layer, the buffer's layout, then which columns make which gate, then which block is which gate, then each
 * block's orientation, then the step's arithmetic (and a run-time forget bias on top of the bias it
 * read). Mistakes in the time loop, the mask, the state and what is returned (`sequence`) act on
 * inputs and outputs alike and need not commute with each other (a skipped first step, then the
 * sequence flipped, is not the sequence flipped, then its first step skipped): two mistakes of one
 * stage are tried both ways round.
 */
export const STAGES = { routing: 0, layout: 1, columns: 2, gates: 3, blocks: 4, arithmetic: 5, runtimeBias: 6, sequence: 7 } as const;
export type Stage = (typeof STAGES)[keyof typeof STAGES];

export interface Hypothesis {
  /** Stable id, e.g. `gate-order:iofc`; mutants name the id they expect. */
  readonly id: string;
  /** What a porter reads: "your engine matches Keras if …". */
  readonly explanation: string;
  /**
   * The explanation in the words of `c`'s cell where they differ from {@link explanation} — a GRU's
   * state is [h], not [h, c]; its weights have 3·units columns, not 4·units (conformance/cells.ts).
   * Absent: `explanation` for every case. An LSTM case always reads `explanation` itself.
   */
  explanationFor?(c: LayerCase): string;
  /**
   * What an engine with this mistake returns for `c`, or null when the mistake cannot be expressed
   * for this case (shapes do not allow it, or the option it concerns is not used).
   */
  predict(c: LayerCase, oracle: Oracle): Promise<EngineOutputs | null>;
  /**
   * What part of an engine the mistake is in (`gate-blocks`, `bias`, `mask`, …). Two mistakes make a
   * pair only when they touch nothing in common: two gate orders, or a gate order and a slice offset,
   * are one wrong block map, not two mistakes. Absent: the hypothesis is never part of a pair.
   */
  readonly touches?: readonly string[];
  /** Where the mistake sits when composed with another one (see {@link STAGES}). */
  readonly stage?: Stage;
}

/** What a mistake touches and where it composes: the fields that make a hypothesis part of pairs. */
export interface PairMeta {
  readonly touches: readonly string[];
  readonly stage: Stage;
}

/** What the diagnosis of `c` says for hypothesis `h`: its explanation in the words of the case's cell. */
export const explanationOf = (h: Hypothesis, c: LayerCase): string => h.explanationFor?.(c) ?? h.explanation;
