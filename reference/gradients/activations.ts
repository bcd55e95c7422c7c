/**
 * The derivative of each activation the reference's gradients implement, as a function of the
 * pre-activation x — what the backward of a step multiplies by (spec/gradients.md §4.1). Each is the
 * derivative TensorFlow's gradient registers for Keras's definition (reference/activations.ts): at a
 * kink (relu at 0, hard_sigmoid at its clip points) it takes TF's one-sided value, 0 (a measure-zero
 * set the corpus never lands on, §4.1). Other names throw: the reference never guesses a derivative.
 */
import type { Dialect } from "../activations.ts";

/** f'(x) for the activation f of the same name. */
export type Derivative = (x: number) => number;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

const common: Readonly<Record<string, Derivative>> = {
  tanh: (x) => {
    const y = Math.tanh(x);
    return 1 - y * y;
  },
  sigmoid: (x) => {
    const y = sigmoid(x);
    return y * (1 - y);
  },
  linear: () => 1,
  // tf.nn.relu's gradient (ReluGrad) passes where x > 0.
  relu: (x) => (x > 0 ? 1 : 0),
};

const hardSigmoid: Readonly<Record<Dialect, Derivative>> = {
  // Keras 3: relu6(x + 3) / 6 (keras/src/backend/tensorflow/nn.py); Relu6Grad passes where 0 < x + 3 < 6.
  keras3: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
  // tf-keras: clip(0.2·x + 0.5, 0, 1); tf.clip_by_value's gradient passes where the value is inside [0, 1].
  "tf-keras": (x) => (x >= -2.5 && x <= 2.5 ? 0.2 : 0),
};

/** The derivative of the activation Keras means by `name` in a config written by `dialect`. Unknown names throw. */
export function derivativeByName(name: string, dialect: Dialect): Derivative {
  if (name === "hard_sigmoid") return hardSigmoid[dialect];
  const d = common[name];
  if (d === undefined) {
    throw new Error(`the gradient of activation "${name}" is not implemented by the reference (spec/gradients.md §4.1: tanh, sigmoid, hard_sigmoid, relu, linear)`);
  }
  return d;
}

/** Names whose derivative the reference implements. */
export const differentiableActivationNames: readonly string[] = [...Object.keys(common), "hard_sigmoid"];
