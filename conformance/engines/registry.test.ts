import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINE_PACKAGES, missingEnginePackage } from "./registry.ts";

/**
 * The error Node really throws when a module imports a package that is not installed. A separate
 * Node process, in a directory with no node_modules above it (vitest would resolve from the project).
 */
function missingPackageError(pkg: string): Error | null {
  const dir = mkdtempSync(join(tmpdir(), "krc-peer-"));
  try {
    writeFileSync(join(dir, "engine.mjs"), `import(${JSON.stringify(pkg)}).then(() => console.log("null"), (e) => console.log(JSON.stringify(e.message)));\n`);
    const out = execFileSync(process.execPath, [join(dir, "engine.mjs")], { cwd: dir, encoding: "utf8" }).trim();
    const message = JSON.parse(out) as string | null;
    return message === null ? null : new Error(message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("built-in engines whose optional peer dependency is missing", () => {
  it("name the package and the install command (tfjs)", async () => {
    const e = missingPackageError("@tensorflow/tfjs");
    expect(e).not.toBeNull();
    expect(missingEnginePackage("tfjs", e)).toBe("--engine tfjs needs @tensorflow/tfjs: npm install @tensorflow/tfjs@4.22.0");
  });

  it("name the package and the install command (onnxruntime, two packages)", async () => {
    const e = missingPackageError("protobufjs");
    expect(missingEnginePackage("onnxruntime", e)).toBe("--engine onnxruntime needs protobufjs: npm install onnxruntime-web@1.30.0 protobufjs@7.6.6");
  });

  it("leave other errors alone", async () => {
    expect(missingEnginePackage("tfjs", new Error("boom"))).toBeNull();
    expect(missingEnginePackage("tfjs", missingPackageError("left-pad-not-here"))).toBeNull();
    expect(missingEnginePackage("reference", missingPackageError("@tensorflow/tfjs"))).toBeNull();
  });

  it("pin the versions package.json has as devDependencies and optional peers", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      devDependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      dependencies: Record<string, string>;
    };
    for (const pinned of Object.values(ENGINE_PACKAGES).flat()) {
      const at = pinned.lastIndexOf("@");
      const [name, version] = [pinned.slice(0, at), pinned.slice(at + 1)];
      expect(pkg.devDependencies[name], name).toBe(version);
      expect(pkg.peerDependencies[name], name).toBe(version);
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(pkg.dependencies[name], name).toBeUndefined();
    }
  });
});
