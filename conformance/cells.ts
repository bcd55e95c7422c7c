/**
 * The layout descriptor of each recurrent cell, as the suite uses it: the reference's layout
 * (reference/cells/layout.ts — blocks, weight and bias shapes, states, activations, spec chapter),
 * written once there, plus what the suite derives from it here — the feature an engine declares for
 * the cell, the features one layer of it needs, Keras's names for what it returns. The loader, the
 * output checks, the features, the reference engine and the layer-engine adapter all read this;
 * nothing else says "4·units" or "[h, c]".
 */
import { CELL_LAYOUTS, outputNamesOf, type CellClassName, type CellKind, type CellLayout } from "../reference/cells/layout.ts";
import type { RecurrentConfig, RecurrentLayer } from "./case.ts";
import type { Feature } from "./engine.ts";

export { isCellClassName, outputNamesOf, type CellClassName, type CellKind, type CellLayout, type StateName, type WeightShape } from "../reference/cells/layout.ts";

/** The feature that says an engine implements a cell (spec/adapter.md §2). */
export type CellFeature = `cell:${CellKind}`;

/** A cell option an engine may lack, as a feature, and when one layer needs it (spec/adapter.md §2). */
export interface CellOption {
  readonly feature: Feature;
  /** The spec section that defines the option. */
  readonly section: string;
  readonly needed: (config: RecurrentConfig) => boolean;
}

export interface CellDescriptor extends CellLayout {
  readonly feature: CellFeature;
  /** Options of this cell only (beyond Keras's default of it), each a feature. */
  readonly options: readonly CellOption[];
}

const describe = (layout: CellLayout, options: readonly CellOption[] = []): CellDescriptor => ({ ...layout, feature: `cell:${layout.kind}`, options });

/** Every cell, by Keras class name. */
export const CELLS: Readonly<Record<CellClassName, CellDescriptor>> = {
  LSTM: describe(CELL_LAYOUTS.LSTM),
  // spec/gru.md §2.2: reset_after=False is a different function; TFJS implements only it, most others only True (§4.6, §6).
  GRU: describe(CELL_LAYOUTS.GRU, [{ feature: "gru:reset_after_false", section: "spec/gru.md §2.2", needed: (config) => config["reset_after"] === false }]),
  SimpleRNN: describe(CELL_LAYOUTS.SimpleRNN),
};

/** Every cell, LSTM first. */
export const CELL_LIST: readonly CellDescriptor[] = Object.values(CELLS);

/** The descriptor of a layer's cell. */
export const cellOf = (layer: { readonly className: CellClassName }): CellDescriptor => CELLS[layer.className];

/** The descriptor of a cell feature's cell (`cell:gru` → GRU), or undefined for any other feature. */
export const cellOfFeature = (f: string): CellDescriptor | undefined => CELL_LIST.find((d) => d.feature === f);

/** Every `cell:<kind>` feature. */
export const CELL_FEATURES: readonly CellFeature[] = CELL_LIST.map((d) => d.feature);

/** Every cell option's feature (e.g. `gru:reset_after_false`). */
export const CELL_OPTION_FEATURES: readonly Feature[] = CELL_LIST.flatMap((d) => d.options.map((o) => o.feature));

/**
 * The features one layer needs because of its cell (spec/adapter.md §2): the cell itself, each
 * activation the cell reads with the layer's value (a SimpleRNN has no recurrent_activation), and
 * the cell's own options the config sets.
 */
export function cellFeatures(layer: RecurrentLayer): Feature[] {
  const cell = cellOf(layer);
  const config: RecurrentConfig = layer.config;
  const features: Feature[] = [cell.feature];
  for (const key of Object.keys(cell.activations) as ("activation" | "recurrent_activation")[]) features.push(`${key}:${String(config[key])}`);
  for (const o of cell.options) if (o.needed(config)) features.push(o.feature);
  return features;
}

/** Keras's names for what a layer returns: `[output]`, or with return_state `[output, h, c]` / `[output, h]` (spec/lstm.md §3.2, spec/gru.md §3.2). */
export const layerOutputNames = (layer: RecurrentLayer): readonly string[] => outputNamesOf(cellOf(layer), layer.config.return_state);

/** `[h0, c0]` or `[h0]`: how messages name a layer's initial state (spec/lstm.md §3.4, spec/gru.md §3.4). */
export const initialStateNames = (cell: CellLayout): string => `[${cell.states.map((s) => `${s}0`).join(", ")}]`;
