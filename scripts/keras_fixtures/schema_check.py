"""Validate written fixture files against spec/fixture.schema.json with ajv (node), the same validator the
TypeScript loader uses, so no Python schema library is pinned. Skipped with a notice when node or ajv is absent."""
from __future__ import annotations

import os
import shutil
import subprocess

from .pipeline import REPO_ROOT

SCRIPT = r"""
import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync } from "node:fs";
const schema = JSON.parse(readFileSync(process.argv[1], "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  if (!validate(doc)) {
    bad++;
    for (const e of validate.errors.slice(0, 5)) console.log(`${file}: ${e.instancePath || "/"}: ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
"""


def validate_files(paths: list[str]) -> tuple[bool, str]:
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(REPO_ROOT, "node_modules", "ajv")):
        return True, "schema check skipped (node or node_modules/ajv missing; run npm ci)"
    schema = os.path.join(REPO_ROOT, "spec", "fixture.schema.json")
    proc = subprocess.run([node, "--input-type=module", "-e", SCRIPT, schema, *paths], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return False, (proc.stdout + proc.stderr).strip()
    return True, f"schema check: {len(paths)} file(s) valid against spec/fixture.schema.json"
