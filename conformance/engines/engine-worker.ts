/**
 * The worker thread an in-process engine runs in (worker-engine.ts, spec/adapter.md §1.1): it loads
 * the engine module and answers `run` and `close` messages. Whatever the engine does here — exit,
 * patch globals, loop forever, throw in the background — stays in this thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Engine, EngineOutputs } from "../engine.ts";
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
  let outputs: EngineOutputs;
  try {
    outputs = await engine.run(m.case);
  } catch (e) {
    post({ type: "threw", seq: m.seq, message: `engine threw: ${describeThrown(e, true)}`, unsupported: unsupportedReason(e) });
    return;
  }
  try {
    // Posting copies the outputs (structured clone): a Proxy or a throwing getter fails here, in the engine's thread.
    post({ type: "result", seq: m.seq, outputs });
  } catch (e) {
    post({ type: "threw", seq: m.seq, message: unreadableOutputs(e), unsupported: null });
  }
}

try {
  const engine = await loadEngine(spec, cwd);
  const features = Array.isArray(engine.features) ? engine.features.filter((f): f is string => typeof f === "string") : [];
  port.on("message", (m: ToWorker) => void answer(engine, m));
  post({ type: "ready", name: String(engine.name), version: String(engine.version), features });
} catch (e) {
  post({ type: "load-error", message: e instanceof EngineModuleError ? e.message : describeThrown(e, true), moduleError: e instanceof EngineModuleError });
}
