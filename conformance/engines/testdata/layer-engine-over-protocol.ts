/**
 * A layer engine over protocol 2 (spec/adapter.md §8.9): the reference's one layer — any cell, the
 * layer_call's class_name says which — one layer_call at a time; the runner composes the model. argv[2] = "sequence" replies with every step's output
 * instead of the output Keras returns. Behaviour by the first segment of the case id:
 *   decline/… an "unsupported" reply with a reason
 *   notes/…   a result with notes attached
 *   wrongid/… replies to another message id
 *   bad/…     an h that does not fill its shape
 * argv[2] = "gradients" says hello in protocol 3 with `gradients` and answers `layer_gradients` with
 * the reference's single-layer BPTT (spec/gradients.md §7.3).
 * Run: `npx tsx conformance/engines/testdata/layer-engine-over-protocol.ts`.
 */
import { createInterface } from "node:readline";
import { activationNames } from "../../../reference/index.ts";
import { CELL_FEATURES, CELL_OPTION_FEATURES } from "../../cells.ts";
import { activationFeatures } from "../../features.ts";
import { layerGradientCallFromMessage, layerGradientsResultMessage } from "../../protocol/gradient-message.ts";
import { layerCallFromMessage, layerResultMessage } from "../../protocol/layer-message.ts";
import type { LayerCallMessage, LayerGradientsMessage } from "../../protocol/messages.ts";
import { referenceLayerGradients } from "./reference-layer-gradients.ts";
import { referenceLayerCall } from "../../testing/reference-layer.ts";

const sequenceMode = process.argv[2] === "sequence";
const gradientsMode = process.argv[2] === "gradients";
const send = (m: object): void => void process.stdout.write(JSON.stringify(m) + "\n");

const capabilities = ["go_backwards", "mask", "initial_state", "zero_output_for_mask", "use_bias_false", "dialect:tf-keras", ...CELL_FEATURES, ...CELL_OPTION_FEATURES, ...activationFeatures(activationNames)];
send({ type: "hello", protocol: gradientsMode ? 3 : 2, kind: "layer", engine: { name: "reference-layer-over-protocol", version: "0.1.0", language: "typescript" }, capabilities: gradientsMode ? [...capabilities, "gradients"] : capabilities });

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  const m = JSON.parse(line) as LayerCallMessage | LayerGradientsMessage | { type: "shutdown" };
  if (m.type === "shutdown") return lines.close();
  if (m.type === "layer_gradients") {
    try {
      return send(layerGradientsResultMessage(m.id, referenceLayerGradients(layerGradientCallFromMessage(m))));
    } catch (e) {
      return send({ type: "error", id: m.id, message: (e as Error).message });
    }
  }
  const mode = m.case.split("/")[0];
  if (mode === "decline") return send({ type: "unsupported", id: m.id, reason: "this kernel needs units ≤ 1", notes: ["declined by the test engine"] });
  try {
    const reply = layerResultMessage(mode === "wrongid" ? "someone-else#1" : m.id, referenceLayerCall(layerCallFromMessage(m), { sequence: sequenceMode }), mode === "notes" ? [`kernel: reference float64, call ${m.call_index}`] : undefined);
    send(mode === "bad" ? { ...reply, h: { ...reply.h, data: reply.h.data.slice(1) } } : reply);
  } catch (e) {
    send({ type: "error", id: m.id, message: (e as Error).message });
  }
});
