/**
 * The activations an LSTM config can name, with the exact formula of each (spec/lstm.md §3,
 * activations). Names are Keras's. `hard_sigmoid` depends on which Keras wrote the config
 * (spec/lstm.md §4): Keras 3 clips x/6 + 1/2, Keras 2 / tf-keras clip 0.2·x + 0.5.
 */

/** Which Keras a config comes from: it fixes the meaning of `hard_sigmoid`. */
export type Dialect = "keras3" | "tf-keras";

export type Activation = (x: number) => number;

const clip01 = (x: number): number => Math.min(1, Math.max(0, x));
const sigmoid: Activation = (x) => 1 / (1 + Math.exp(-x));

const common: Readonly<Record<string, Activation>> = {
  tanh: Math.tanh,
  sigmoid,
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  softsign: (x) => x / (1 + Math.abs(x)),
  softplus: (x) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0),
  exponential: Math.exp,
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  swish: (x) => x * sigmoid(x),
  silu: (x) => x * sigmoid(x),
};

const hardSigmoid: Readonly<Record<Dialect, Activation>> = {
  // keras/src/backend/tensorflow/nn.py hard_sigmoid: relu6(x + 3) / 6
  keras3: (x) => clip01(x / 6 + 0.5),
  // tf_keras/backend.py hard_sigmoid: clip(0.2 * x + 0.5, 0, 1)
  "tf-keras": (x) => clip01(0.2 * x + 0.5),
};

/** The activation Keras means by `name` in a config written by `dialect`. Unknown names throw. */
export function activationByName(name: string, dialect: Dialect): Activation {
  if (name === "hard_sigmoid") return hardSigmoid[dialect];
  const f = common[name];
  if (f === undefined) {
    throw new Error(`activation "${name}" is not implemented by the reference (spec/lstm.md §3, activations)`);
  }
  return f;
}

/** Names the reference implements (for engines that declare features). */
export const activationNames: readonly string[] = [...Object.keys(common), "hard_sigmoid"];
