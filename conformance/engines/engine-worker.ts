/**
 * The worker thread an in-process engine runs in (worker-engine.ts, spec/adapter.md §1.1): it loads
 * the engine module and answers `run`, `gradients` and `close` messages. Whatever the engine does here — exit,
 * patch globals, loop forever, throw in the background — stays in this thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Engine } from "../engine.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import { describeThrown, unreadableOutputs } from "../untrusted.ts";
import { EngineModuleError, loadEngine } from "./registry.ts";
import type { FromWorker, ToWorker, WorkerData } from "./worker-messages.ts";

const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);
const { spec, cwd } = workerData as WorkerData;

async function answer(engine: Engine, m: ToWorker): Promise<void> {
  if (m.type === "close") {
    let error: string | null = null;
    try {
      await engine.close?.();
    } catch (e) {
      error = describeThrown(e, true);
    }
    post({ type: "closed", error });
    return;
  }
  let reply: FromWorker;
  try {
    if (m.type === "run") {
      reply = { type: "result", seq: m.seq, outputs: await engine.run(m.case) };
    } else {
      if (typeof engine.gradients !== "function") throw new Error("the engine has no gradients() method (spec/gradients.md §7.2)");
      reply = { type: "gradients-result", seq: m.seq, gradients: await engine.gradients(m.request) };
    }
  } catch (e) {
    const what = m.type === "run" ? "engine threw" : "engine's gradients() threw";
    post({ type: "threw", seq: m.seq, message: `${what}: ${describeThrown(e, true)}`, unsupported: unsupportedReason(e) });
    return;
  }
  try {
    // Posting copies the answer (structured clone): a Proxy or a throwing getter fails here, in the engine's thread.
    post(reply);
  } catch (e) {
    post({ type: "threw", seq: m.seq, message: unreadableOutputs(e), unsupported: null });
  }
}

try {
  const engine = await loadEngine(spec, cwd);
  const features = Array.isArray(engine.features) ? engine.features.filter((f): f is string => typeof f === "string") : [];
  port.on("message", (m: ToWorker) => void answer(engine, m));
  post({ type: "ready", name: String(engine.name), version: String(engine.version), features, gradients: typeof engine.gradients === "function" });
} catch (e) {
  post({ type: "load-error", message: e instanceof EngineModuleError ? e.message : describeThrown(e, true), moduleError: e instanceof EngineModuleError });
}
