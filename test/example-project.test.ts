/**
 * The example project (examples/user-project/) installed the way a user installs the suite: from the
 * tarball `npm pack` makes, into a fresh folder. Then the CLI runs its `.ts` layer engine without a
 * build step — the one the README shows, reaching the level the README says — and the vitest helper
 * turns the suite into its tests. A broken copy of the engine must fail both ways. The Python helper
 * ships in the tarball and a Python layer engine finds it through the CLI. Slow (pack builds dist/,
 * install copies dependencies from the npm cache): about a minute.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const example = join(root, "examples", "user-project");

function run(cmd: string, args: string[], cwd: string): { code: number; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, CI: "1", NO_COLOR: "1", npm_config_update_notifier: "false" } });
  return { code: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` };
}

describe("examples/user-project, installed from the packed tarball", () => {
  it("runs the CLI on a .ts engine and the vitest helper; a broken engine fails both", { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "krc-example-"));
    execFileSync("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: root, stdio: "pipe" });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();

    const project = join(dir, "project");
    mkdirSync(project);
    for (const f of ["my-lstm.ts", "my-lstm-layer.ts", "my-lstm.test.ts"]) copyFileSync(join(example, f), join(project, f));
    const pkg = JSON.parse(readFileSync(join(example, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    pkg.devDependencies["keras-rnn-conformance"] = `file:${join(dir, tarball!)}`;
    writeFileSync(join(project, "package.json"), JSON.stringify(pkg, null, 2));
    const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
    expect(install.code, install.output).toBe(0);

    // The CLI, through the package's bin, on the user's TypeScript engine.
    const cli = run("npx", ["keras-rnn-conformance", "--engine", "./my-lstm.ts", "--properties", "0"], project);
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).toMatch(/CONFORMANT — level core/);
    expect(cli.output).toMatch(/unsupported; the engine lacks: /);
    // The README shows this engine, whole, and says which level it reaches.
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain("```ts\n" + readFileSync(join(example, "my-lstm.ts"), "utf8") + "```");
    expect(readme).toMatch(/examples\/user-project\/my-lstm\.ts[^]*reaches level core/);

    // The vitest helper: every supported case a passing test, the rest skipped.
    const vitest = run("npx", ["vitest", "run", "my-lstm.test.ts"], project);
    expect(vitest.code, vitest.output).toBe(0);
    expect(vitest.output).toMatch(/Tests\s+\d+ passed \| \d+ skipped/);

    // A broken copy: the forget gate reads the input gate's block.
    const source = readFileSync(join(project, "my-lstm-layer.ts"), "utf8");
    const broken = source.replace("f = sigmoid(z[U + u]!)", "f = sigmoid(z[u]!)");
    expect(broken).not.toBe(source);
    writeFileSync(join(project, "broken-layer.ts"), broken);
    writeFileSync(join(project, "broken.ts"), readFileSync(join(project, "my-lstm.ts"), "utf8").replace("./my-lstm-layer.ts", "./broken-layer.ts"));
    writeFileSync(join(project, "broken.test.ts"), readFileSync(join(project, "my-lstm.test.ts"), "utf8").replace("./my-lstm.ts", "./broken.ts"));
    const badCli = run("npx", ["keras-rnn-conformance", "--engine", "./broken.ts", "--properties", "0", "--filter", "lstm/sizes", "--no-diagnose"], project);
    expect(badCli.code, badCli.output).toBe(1);
    expect(badCli.output).toMatch(/reproduce: npx keras-rnn-conformance --engine \.\/broken\.ts --filter lstm\/sizes\//);
    const badVitest = run("npx", ["vitest", "run", "broken.test.ts"], project);
    expect(badVitest.code).toBe(1);
    expect(badVitest.output).toMatch(/FAIL .*lstm\/sizes/);

    // Skipping every case hides the broken engine from every case test, but never makes it green (spec/adapter.md §4.3).
    // Without properties, as the CLI run beside it: their failures would make it red for another reason.
    writeFileSync(join(project, "skip-all.expectations"), "lstm skip not today\n");
    writeFileSync(join(project, "skip-all.test.ts"), 'import { defineConformanceTests } from "keras-rnn-conformance/vitest";\nimport { engine } from "./broken.ts";\ndefineConformanceTests(engine, { expectations: "skip-all.expectations", properties: 0 });\n');
    const skipAllCli = run("npx", ["keras-rnn-conformance", "--engine", "./broken.ts", "--expectations", "skip-all.expectations", "--properties", "0"], project);
    expect(skipAllCli.code, skipAllCli.output).toBe(1);
    expect(skipAllCli.output).toMatch(/NO EVIDENCE, NOT CONFORMANT/);
    const skipAllVitest = run("npx", ["vitest", "run", "skip-all.test.ts"], project);
    expect(skipAllVitest.code, skipAllVitest.output).toBe(1);
    expect(skipAllVitest.output).toMatch(/NO EVIDENCE, NOT CONFORMANT/);

    // The Python helper ships in the tarball, and the CLI puts it on the engine's PYTHONPATH.
    expect(existsSync(join(project, "node_modules", "keras-rnn-conformance", "python", "keras_rnn_conformance.py"))).toBe(true);
    const python = process.env["KERAS_RNN_CONFORMANCE_PYTHON"] ?? join(root, ".venv", "bin", "python");
    if (existsSync(python)) {
      for (const f of ["engine.py", "numpy_lstm.py", "numpy_gradients.py"]) copyFileSync(join(root, "examples", "engines", "python-numpy", f), join(project, f));
      const smoke = run("npx", ["keras-rnn-conformance", "smoke", "--engine-cmd", `"${python}" engine.py`], project);
      expect(smoke.code, smoke.output).toBe(0);
      expect(smoke.output).toMatch(/protocol 3/); // a layer engine with gradient functions (spec/adapter.md §8.11);
    }
  });
});
