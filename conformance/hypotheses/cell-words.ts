/**
 * The words of an explanation that differ between cells (conformance/cells.ts): the states, the
 * columns of the weights, the spec chapter. An LSTM case keeps the LSTM's words exactly, so that its
 * diagnosis reads as it always has; a GRU's or a SimpleRNN's names its own state ([h]) and columns
 * (3·units, units) and cites its own chapter (spec/gru.md, spec/simple-rnn.md).
 */
import type { LayerCase } from "../case.ts";
import type { CellDescriptor } from "../cells.ts";
import { firstCell } from "./case-transforms.ts";
import type { Hypothesis } from "./hypothesis.ts";

/** `4·units`, `3·units`, `units`: the columns of a cell's kernel (its descriptor's blocks). */
export const columnsOf = (cell: CellDescriptor): string => (cell.blocks.length === 1 ? "units" : `${cell.blocks.length}·units`);

/** `h and c`, `h`: a cell's states in words. */
export const statesOf = (cell: CellDescriptor): string => cell.states.join(" and ");

/** The explanation fields of a hypothesis whose words depend on the cell: `lstm` for an LSTM case, `other(cell)` for a case of another cell. */
export function cellWorded(lstm: string, other: (cell: CellDescriptor) => string): Pick<Hypothesis, "explanation" | "explanationFor"> {
  return {
    explanation: lstm,
    explanationFor(c: LayerCase): string {
      const cell = firstCell(c);
      return cell === undefined || cell.kind === "lstm" ? lstm : other(cell);
    },
  };
}
