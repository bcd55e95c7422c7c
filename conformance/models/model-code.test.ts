/**
 * What in a model config would make Keras run code from the file (model-code.ts): found wherever Keras
 * would deserialise it — nested models, wrappers, RNN cells, attributes, call arguments — and never in the
 * model files Keras saved for this suite.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFixturesDir } from "../package-paths.ts";
import { codeInModelConfig, describeCode } from "./model-code.ts";
import { readKerasModel } from "./read-model.ts";

const keras3 = (className: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ module: "keras.layers", class_name: className, config, registered_name: null, ...extra });
const lstm = (name: string, config: Record<string, unknown> = {}) => keras3("LSTM", { name, units: 2, activation: "tanh", kernel_initializer: { module: "keras.initializers", class_name: "GlorotUniform", config: { seed: null }, registered_name: null }, ...config });
const functional = (name: string, layers: unknown[], extra: Record<string, unknown> = {}) => ({ module: "keras.src.models.functional", class_name: "Functional", config: { name, layers }, registered_name: "Functional", ...extra });
const found = (config: unknown) => codeInModelConfig(config).map(describeCode);

describe("code in a Keras model config (model-code.ts)", () => {
  it("finds nothing in the model files Keras saved for the suite", async () => {
    const dir = join(defaultFixturesDir(), "models");
    const files = readdirSync(dir).filter((f) => /\.(keras|h5)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect((await readKerasModel(join(dir, f))).code, f).toEqual([]);
  });

  it("finds a Lambda layer of either dialect, naming the layer and its class", () => {
    const tfKerasLambda = { class_name: "Lambda", config: { name: "evil", function: ["4wEAAA", null, null], function_type: "lambda", module: "__main__" }, name: "evil", inbound_nodes: [] };
    expect(found({ class_name: "Functional", config: { name: "m", layers: [tfKerasLambda, { class_name: "LSTM", config: { name: "enc", units: 2 } }] } })).toEqual([
      'layer "evil" (Lambda): its function is Python code stored in the file, which Keras runs when it rebuilds the model',
    ]);
    const keras3Lambda = keras3("Lambda", { name: "evil", function: { class_name: "__lambda__", config: { code: "4wEAAA" } } });
    expect(found(functional("m", [keras3Lambda]))).toEqual([
      'layer "evil" (Lambda): its function is Python code stored in the file, which Keras runs when it rebuilds the model',
      'layer "evil" (Lambda), function: __lambda__: a serialised Python lambda (bytecode stored in the file)',
    ]);
  });

  it("walks nested models, Sequential, Bidirectional halves, TimeDistributed and RNN cells", () => {
    const lambda = (name: string) => keras3("Lambda", { name, function: "f" });
    const model = functional("outer", [
      keras3("Sequential", { name: "inner", layers: [lstm("ok"), keras3("TimeDistributed", { name: "td", layer: lambda("in_td") })] }),
      keras3("Bidirectional", { name: "bi", layer: lstm("forward_x"), backward_layer: { module: "my_layers", class_name: "LSTM", config: { name: "backward_x" }, registered_name: null } }),
      keras3("RNN", { name: "rnn", cell: { module: null, class_name: "MyCell", config: { name: "c" }, registered_name: "mine>MyCell" } }),
      keras3("RNN", { name: "stacked", cell: keras3("StackedRNNCells", { name: "s", cells: [keras3("LSTMCell", { name: "c1" }), keras3("TFOpLambda", { name: "op", function: "io.write_file" })] }) }),
    ]);
    expect(found(model)).toEqual([
      'layer "in_td" (Lambda): its function is Python code stored in the file, which Keras runs when it rebuilds the model',
      'layer "backward_x" (LSTM): its class comes from module "my_layers", not from Keras',
      'layer "c" (MyCell): registered_name "mine>MyCell": a custom object of package "mine", not Keras\'s own',
      'layer "op" (TFOpLambda): calls the TensorFlow function the file names',
    ]);
  });

  it("finds functions and custom objects as attributes and call arguments, under their layer and key", () => {
    const fn = { module: "builtins", class_name: "function", config: "my_act", registered_name: "function" };
    const model = functional(
      "m",
      [
        lstm("enc", { activation: fn, recurrent_regularizer: { module: "evil_pkg", class_name: "L2", config: {}, registered_name: null }, kernel_initializer: { class_name: "Custom", config: {}, __passive_serialization__: true, module: "__main__" } }),
        keras3("Dense", { name: "d" }, { inbound_nodes: [{ args: [{ class_name: "__keras_tensor__", config: { shape: [null, 2], keras_history: ["enc", 0, 0] } }], kwargs: { hook: { class_name: "__lambda__", config: { code: "x" } } } }] }),
        { class_name: "Lambda2", config: { name: "sneaky", output_shape_type: "lambda" } },
      ],
      { compile_config: { loss: fn } },
    );
    expect(found(model)).toEqual([
      'layer "enc" (LSTM), activation: function: a serialised function "my_act" of module "builtins", not one of Keras\'s own (they are saved by name)',
      'layer "enc" (LSTM), kernel_initializer: Custom: its class comes from module "__main__", not from Keras',
      'layer "enc" (LSTM), recurrent_regularizer: L2: its class comes from module "evil_pkg", not from Keras',
      'layer "d" (Dense), inbound_nodes: __lambda__: a serialised Python lambda (bytecode stored in the file)',
      'layer "sneaky" (Lambda2): output_shape_type "lambda": a Python lambda stored in the file',
    ]);
    // Keras drops the top-level compile_config when loading with compile=False, a nested model's it does not.
    expect(found(functional("m", [functional("sub", [], { compile_config: { loss: fn } })]))).toEqual([
      'layer "sub" (Functional), compile_config: function: a serialised function "my_act" of module "builtins", not one of Keras\'s own (they are saved by name)',
    ]);
  });

  it("takes keras_hub, a package-prefixed registered name and a bare Keras 2.0 Sequential list for what they are", () => {
    expect(found({ module: "keras_hub.src.models", class_name: "Backbone", config: { name: "b" }, registered_name: "keras_hub>Backbone" })).toEqual(['layer "b" (Backbone): its class comes from module "keras_hub.src.models", not from Keras']);
    expect(found({ class_name: "Sequential", config: [{ class_name: "Lambda", config: { name: "l" } }] })).toEqual(['layer "l" (Lambda): its function is Python code stored in the file, which Keras runs when it rebuilds the model']);
    expect(found({ module: "tf_keras.src.engine", class_name: "Functional", config: { name: "m", layers: [{ module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null }] } })).toEqual([]);
  });
});
