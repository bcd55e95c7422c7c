// Protocol engines that misbehave the way real ones do, beyond fake-engine.mjs (spec/adapter.md §8.7).
// argv[2] is a file to which every grandchild's pid is appended, so the test can kill them.
// Behaviour per case by the first segment of the case id:
//   ok/…         a result of the right shapes (every value 0.25)
//   exit0/…      exits with code 0 without answering (an engine loop that ended by mistake)
//   lastwords/…  writes its result, then exits with code 0 at once (the result still counts)
//   nanliteral/… a result with bare NaN and Infinity tokens, as Python's json.dumps writes them
//   big/…        a correct result whose values are written in full (numpy tolist()): ~20 bytes each
//   bigpartial/… writes 5 MB of a line without its newline, then exits with code 0
//   setsid/…     starts a grandchild in a new session holding stdout and stderr, then hangs
//   orphan/…     starts the same grandchild, then exits with code 3
/* global process */
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";

const pidFile = process.argv[2];
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
send({ type: "hello", protocol: 1, engine: { name: "gallery", version: "0.0.1" }, capabilities: ["return_sequences", "activation:tanh", "recurrent_activation:sigmoid"] });

function tensor(shape, value) {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: "float32", shape, data: Array.from({ length: n }, (_, k) => value(k)) };
}

function outputsFor(run, value = () => 0.25) {
  const units = run.layers[run.layers.length - 1].config.units;
  return run.calls.map((call) => [tensor([call.x.shape[0], call.x.shape[1], units], value)]);
}

// detached: the grandchild calls setsid(), so it is outside the engine's process group and a
// group kill does not reach it; stdio "inherit" hands it our stdout and stderr pipes.
function grandchild() {
  const g = spawn("sleep", ["1000"], { detached: true, stdio: ["ignore", "inherit", "inherit"] });
  if (pidFile !== undefined) appendFileSync(pidFile, `${g.pid}\n`);
  g.unref();
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const m = JSON.parse(line);
  if (m.type === "shutdown") process.exit(0);
  switch (m.id.split("/")[0]) {
    case "exit0":
      return process.exit(0);
    case "lastwords":
      return process.stdout.write(JSON.stringify({ type: "result", id: m.id, outputs: outputsFor(m) }) + "\n", () => process.exit(0));
    case "nanliteral":
      return process.stdout.write(JSON.stringify({ type: "result", id: m.id, outputs: outputsFor(m) }).replace("0.25,0.25", "NaN, Infinity") + "\n");
    case "big":
      return send({ type: "result", id: m.id, outputs: outputsFor(m, (k) => Math.fround(Math.sin(k))) });
    case "bigpartial":
      return process.stdout.write(`{"type":"result","id":${JSON.stringify(m.id)},"outputs":[[{"data":[${"0.25,".repeat(1e6)}`, () => process.exit(0));
    case "setsid":
      return grandchild();
    case "orphan":
      grandchild();
      process.stderr.write("engine crashed, its helper lives on\n");
      return process.exit(3);
    default:
      return send({ type: "result", id: m.id, outputs: outputsFor(m) });
  }
});
lines.on("close", () => process.exit(0));
