/**
 * Where the package's own files are: the fixture corpus and the JSON schemas ship beside the code
 * (package.json `files`), and the code runs either from source (`conformance/*.ts` under tsx) or
 * built (`dist/conformance/*.js`), so paths are found by walking up to the package root, not by a
 * fixed number of `..`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "keras-rnn-conformance";

let cachedRoot: string | undefined;

/** The directory holding this package's package.json. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
      if (pkg.name === PACKAGE_NAME) return (cachedRoot = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The package version, for `--version` and reports. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}

/** The corpus shipped with the package: the default `--fixtures`. */
export function defaultFixturesDir(): string {
  return join(packageRoot(), "fixtures");
}

/**
 * One of the package's own modules, by its source path `relative` to `base` (the caller's
 * `import.meta.url`), as this installation has it: the `.ts` source (run under tsx) or its built
 * `.js` twin (dist/); null when there is neither.
 */
export function ownModule(relative: string, base: string): URL | null {
  const source = new URL(relative, base);
  if (existsSync(source)) return source;
  const built = new URL(relative.replace(/\.ts$/, ".js"), base);
  return existsSync(built) ? built : null;
}

/** A file under the package's `spec/` folder, e.g. `fixture.schema.json`. */
export function specFile(name: string): string {
  return join(packageRoot(), "spec", name);
}
