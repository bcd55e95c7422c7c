/**
 * The reference engine served over the protocol (spec/adapter.md §8): a well-behaved process engine
 * for tests that must not depend on Python, and an example of an engine written in TypeScript.
 * It speaks protocol 3 and answers `gradients` with the reference's BPTT (spec/gradients.md §7.3);
 * argv[2] = "protocol2" says hello in protocol 2 (the same capabilities, gradients among them),
 * as an engine written before gradients would.
 * Run: `npx tsx conformance/engines/testdata/reference-over-protocol.ts`.
 */
import { createInterface } from "node:readline";
import { referenceEngine } from "../reference.ts";
import { caseFromRun } from "../../protocol/case-from-run.ts";
import { gradientsResultMessage, requestFromGradientsMessage } from "../../protocol/gradient-message.ts";
import { PROTOCOL_VERSION, type GradientsMessage, type RunMessage } from "../../protocol/messages.ts";
import { tensorToWire } from "../../protocol/wire-tensor.ts";
import type { EngineGradients } from "../../engine.ts";

const send = (m: object): void => {
  process.stdout.write(JSON.stringify(m) + "\n");
};

const protocol = process.argv[2] === "protocol2" ? 2 : PROTOCOL_VERSION;
send({ type: "hello", protocol, engine: { name: "reference-over-protocol", version: referenceEngine.version, language: "typescript" }, capabilities: referenceEngine.features });

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  const m = JSON.parse(line) as RunMessage | GradientsMessage | { type: "shutdown" };
  if (m.type === "shutdown") {
    lines.close();
    return;
  }
  void (async () => {
    try {
      if (m.type === "gradients") {
        const request = requestFromGradientsMessage(m);
        // wrong/…: an engine that answers the gradients of call 0 doubled, to show the round trip can fail
        const answers = (await referenceEngine.gradients!(request)) as EngineGradients;
        const scaled = m.id.startsWith("wrong/") ? answers.map((a) => ({ ...a, x: { shape: a.x.shape, data: Float64Array.from(a.x.data, (v) => 2 * v) } })) : answers;
        send(gradientsResultMessage(m.id, scaled));
        return;
      }
      const outputs = await referenceEngine.run(caseFromRun(m));
      send({ type: "result", id: m.id, outputs: outputs.map((call) => call.map((t) => tensorToWire(t))) });
    } catch (e) {
      send({ type: "error", id: m.id, message: (e as Error).message });
    }
  })();
});
