import { describe, expect, it } from "vitest";
import type { LayerCase } from "../case.ts";
import { smokeCase } from "../commands/smoke-case.ts";
import { caseFromRun } from "./case-from-run.ts";
import type { RunMessage } from "./messages.ts";
import { runMessage } from "./run-message.ts";
import { protocolViolation } from "./validate.ts";

const base = smokeCase("lstm/masking/start/000");
const full: LayerCase = {
  ...base,
  layers: [{ className: "Masking", config: { mask_value: 0 } }, ...base.layers],
  calls: [{ ...base.calls[0]!, mask: { shape: [2, 3], data: Uint8Array.from([1, 1, 0, 0, 1, 1]) }, initialState: [base.calls[0]!.x, base.calls[0]!.x].map((x) => ({ shape: [2, 2], data: x.data.slice(0, 4) })) }],
};

describe("run message (spec/adapter.md §8.3)", () => {
  it("is valid against spec/protocol.schema.json and uses the fixture format's names", () => {
    const m = runMessage(full);
    expect(protocolViolation(m, "run")).toBeUndefined();
    expect(protocolViolation(JSON.parse(JSON.stringify(m)))).toBeUndefined();
    const lstm = m.layers[1]!;
    expect(lstm.class_name).toBe("LSTM");
    expect(lstm.class_name === "LSTM" && lstm.weights.map((w) => w.name)).toEqual(["kernel", "recurrent_kernel", "bias"]);
    expect(m.calls[0]!.mask?.data).toEqual([true, true, false, false, true, true]);
  });

  it("reads back to the same case, float32 bit for bit", () => {
    const back = caseFromRun(JSON.parse(JSON.stringify(runMessage(full))) as RunMessage);
    expect(back).toEqual(full);
  });

  it("the schema catches what is wrong, naming where", () => {
    const m = JSON.parse(JSON.stringify(runMessage(full))) as { calls: { x: { dtype: string } }[] };
    m.calls[0]!.x.dtype = "float16";
    expect(protocolViolation(m)).toMatch(/not a valid "run" message: \/calls\/0\/x\/dtype must be equal to constant/);
    expect(protocolViolation({ type: "hello", protocol: 1, engine: { name: "e" }, capabilities: [] })).toMatch(/\/engine must have required property 'version'/);
    expect(protocolViolation({ type: "goodbye" })).toMatch(/"type" must be one of hello, run, layer_call, result, layer_result, error, unsupported, shutdown, gradients, gradients_result, layer_gradients, layer_gradients_result; got "goodbye"/);
    expect(protocolViolation({ type: "shutdown" })).toBeUndefined();
  });
});
