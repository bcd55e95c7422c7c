// my-lstm.ts — the whole engine: npx keras-rnn-conformance --engine ./my-lstm.ts
import { layerEngine } from "keras-rnn-conformance";
import { lstmForward } from "./my-lstm-layer.ts"; // your library's LSTM layer

export const engine = layerEngine({
  name: "my-lstm",
  version: "1.0.0",
  features: ["initial_state", "use_bias_false", "activation:tanh", "recurrent_activation:sigmoid"],
  lstm: ({ config, weights: w, x, initialState }) => lstmForward(x, w.kernel, w.recurrent_kernel, w.bias, config.units, initialState),
});
export default engine;
