/**
 * The reference engine served over the protocol (spec/adapter.md §8): a well-behaved process engine
 * for tests that must not depend on Python, and an example of an engine written in TypeScript.
 * Run: `npx tsx conformance/engines/testdata/reference-over-protocol.ts`.
 */
import { createInterface } from "node:readline";
import { referenceEngine } from "../reference.ts";
import { caseFromRun } from "../../protocol/case-from-run.ts";
import { PROTOCOL_VERSION, type RunMessage } from "../../protocol/messages.ts";
import { tensorToWire } from "../../protocol/wire-tensor.ts";

const send = (m: object): void => {
  process.stdout.write(JSON.stringify(m) + "\n");
};

send({ type: "hello", protocol: PROTOCOL_VERSION, engine: { name: "reference-over-protocol", version: referenceEngine.version, language: "typescript" }, capabilities: referenceEngine.features });

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  const m = JSON.parse(line) as RunMessage | { type: "shutdown" };
  if (m.type === "shutdown") {
    lines.close();
    return;
  }
  void (async () => {
    try {
      const outputs = await referenceEngine.run(caseFromRun(m));
      send({ type: "result", id: m.id, outputs: outputs.map((call) => call.map((t) => tensorToWire(t))) });
    } catch (e) {
      send({ type: "error", id: m.id, message: (e as Error).message });
    }
  })();
});
