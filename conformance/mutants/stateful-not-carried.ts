/** Mutant: an LSTM that starts every call of a stateful layer from zeros. Expected diagnosis: `stateful-not-carried`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:stateful-not-carried", version: "1.0.0", flaws: { statefulNotCarried: true } });
export default engine;
