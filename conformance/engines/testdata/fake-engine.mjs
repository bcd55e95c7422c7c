// A deliberately unreliable protocol engine (spec/adapter.md §8) for testing the process adapter.
// Its start-up is chosen by argv[2]; its behaviour per case by the first segment of the case id:
//   ok/…       a result of the right shapes (every value 0.25)
//   error/…    an "error" message
//   crash/…    exits with code 3 after writing to stderr
//   hang/…     never answers
//   garbage/…  writes a line that is not JSON
//   partial/…  writes half a result without a newline, then exits
//   noisy/…    writes to stderr, then answers like ok
//   badtensor/… a result whose tensor has too few values
//   malformed/… a result with no dtype (only --validate-protocol notices)
//   nan/…      a result containing "NaN"
//   wrongid/…  answers for another case
//   unsupported/… an "unsupported" reply (protocol 2; a protocol-1 engine sending it breaks the protocol)
//   notes/…    a result with notes attached (kept from a protocol-2 engine only)
// Start-ups: normal (protocol 1), v2 (protocol 2), v1-layer (a layer engine claiming protocol 1), and the broken ones below.
/* global process, setTimeout */
import { createInterface } from "node:readline";

const startup = process.argv[2] ?? "normal";
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const caps = ["return_sequences", "return_state", "initial_state", "stacked", "activation:tanh", "recurrent_activation:sigmoid"];

if (startup === "wrong-version") send({ type: "hello", protocol: 99, engine: { name: "fake", version: "0" }, capabilities: caps });
else if (startup === "no-hello") process.stdout.write("Welcome to my engine!\n");
else if (startup === "die") {
  process.stderr.write("cannot import numpy\n");
  process.exit(1);
} else if (startup === "bad-capabilities") send({ type: "hello", protocol: 1, engine: { name: "fake", version: "0" }, capabilities: ["telepathy"] });
else if (startup === "v1-layer") send({ type: "hello", protocol: 1, kind: "layer", engine: { name: "fake", version: "0" }, capabilities: caps });
else {
  process.stderr.write("fake engine: start-up banner on stderr\n");
  send({ type: "hello", protocol: startup === "v2" ? 2 : 1, engine: { name: "fake", version: "0.0.1", language: "javascript" }, capabilities: caps });
}

function tensor(shape, value = 0.25) {
  return { dtype: "float32", shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(value) };
}

function outputsFor(run) {
  const lstms = run.layers.filter((l) => l.class_name === "LSTM");
  const last = lstms[lstms.length - 1].config;
  return run.calls.map((call) => {
    const [b, t] = call.x.shape;
    const u = last.units;
    const out = [tensor(last.return_sequences ? [b, t, u] : [b, u])];
    if (last.return_state) out.push(tensor([b, u]), tensor([b, u]));
    return out;
  });
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const m = JSON.parse(line);
  if (m.type === "shutdown") process.exit(0);
  const mode = m.id.split("/")[0];
  switch (mode) {
    case "error":
      return send({ type: "error", id: m.id, message: "this engine does not like this case", traceback: "Traceback: fake" });
    case "crash":
      process.stderr.write("Segmentation fault (pretend)\n");
      return process.exit(3);
    case "hang":
      return;
    case "garbage":
      return process.stdout.write("Loading weights... done\n");
    case "partial":
      process.stdout.write(JSON.stringify({ type: "result", id: m.id, outputs: outputsFor(m) }).slice(0, 30));
      return process.exit(0);
    case "noisy":
      process.stderr.write(`warning: noisy engine computing ${m.id}\n`);
      // stdout and stderr are separate pipes: answer a moment later, so the warning arrives first.
      return setTimeout(() => send({ type: "result", id: m.id, outputs: outputsFor(m) }), 50);
    case "badtensor":
      return send({ type: "result", id: m.id, outputs: outputsFor(m).map((call) => call.map((t) => ({ ...t, data: t.data.slice(1) }))) });
    case "malformed":
      return send({ type: "result", id: m.id, outputs: outputsFor(m).map((call) => call.map((t) => ({ ...t, dtype: undefined, extra: 1 }))) });
    case "nan":
      return send({ type: "result", id: m.id, outputs: outputsFor(m).map((call) => call.map((t) => ({ ...t, data: t.data.map(() => "NaN") }))) });
    case "unsupported":
      return send({ type: "unsupported", id: m.id, reason: "cannot express this mask", notes: ["looked at the mask"] });
    case "notes":
      return send({ type: "result", id: m.id, outputs: outputsFor(m), notes: ["kernel: fused", "x".repeat(600)] });
    case "wrongid":
      return send({ type: "result", id: "someone/else", outputs: outputsFor(m) });
    default:
      return send({ type: "result", id: m.id, outputs: outputsFor(m) });
  }
});
lines.on("close", () => process.exit(0));
