import { describe, expect, it } from "vitest";
import { smokeCase } from "../commands/smoke-case.ts";
import type { LstmLayerCall } from "../engine.ts";
import { tensor } from "../tensor.ts";
import { layerCallFromMessage, layerCallMessage, layerOutputsFromWire, layerResultMessage } from "./layer-message.ts";
import type { LayerCallMessage } from "./messages.ts";
import { protocolViolation } from "./validate.ts";

const base = smokeCase("lstm/masking/start/000");
const lstm = base.layers[0]!;
if (lstm.className !== "LSTM") throw new Error("the smoke case has an LSTM");
const call: LstmLayerCall = {
  className: "LSTM",
  config: lstm.config,
  weights: lstm.weights,
  dialect: "tf-keras",
  x: base.calls[0]!.x,
  mask: { shape: [2, 3], data: Uint8Array.from([1, 1, 0, 0, 1, 1]) },
  initialState: [tensor([2, 2], [0.1, 0.2, 0.3, 0.4]), tensor([2, 2], [-0.1, -0.2, -0.3, -0.4])],
  caseId: base.id,
  layerIndex: 1,
  callIndex: 2,
};

describe("layer_call and layer_result (protocol 2, spec/adapter.md §8.9)", () => {
  it("a layer_call is valid against the schema and reads back to the same call, float32 bit for bit", () => {
    const m = layerCallMessage(`${base.id}#7`, call);
    expect(protocolViolation(m, "layer_call")).toBeUndefined();
    expect(m).toMatchObject({ type: "layer_call", id: `${base.id}#7`, case: base.id, layer_index: 1, call_index: 2, dialect: "tf-keras" });
    expect(layerCallFromMessage(JSON.parse(JSON.stringify(m)) as LayerCallMessage)).toEqual(call);
  });

  it("a layer_result holds sequence or output, never both, and reads back", () => {
    const h = tensor([2, 2], [1, 2, 3, 4]);
    const r = layerResultMessage("x#1", { sequence: tensor([2, 3, 2], new Array(12).fill(0.5)), h, c: h }, ["kernel: test"]);
    expect(protocolViolation(r)).toBeUndefined();
    expect(layerOutputsFromWire(JSON.parse(JSON.stringify(r)) as Record<string, unknown>)).toEqual({ sequence: tensor([2, 3, 2], new Array(12).fill(0.5)), h, c: h });
    const both = { ...r, output: r.sequence };
    expect(protocolViolation(both)).toMatch(/not a valid "layer_result" message: \/ must match exactly one schema in oneOf/);
    expect(() => layerOutputsFromWire(both)).toThrow(/"sequence" or "output", not both/);
    expect(() => layerOutputsFromWire({ h: r.h, c: r.c })).toThrow(/needs "sequence" \(every step\) or "output"/);
  });

  it("unsupported needs a reason; kind needs protocol 2", () => {
    expect(protocolViolation({ type: "unsupported", id: "a", reason: "masks with holes" })).toBeUndefined();
    expect(protocolViolation({ type: "unsupported", id: "a" })).toMatch(/must have required property 'reason'/);
    const hello = { type: "hello", engine: { name: "e", version: "1" }, capabilities: [], kind: "layer" };
    expect(protocolViolation({ ...hello, protocol: 2 })).toBeUndefined();
    expect(protocolViolation({ ...hello, protocol: 1 })).toMatch(/\/protocol must be >= 2/);
  });
});
