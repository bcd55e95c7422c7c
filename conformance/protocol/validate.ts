/**
 * Validation of protocol messages against spec/protocol.schema.json (JSON Schema 2020-12), for
 * `--validate-protocol`. The schema is compiled once per process, on first use.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { specFile } from "../package-paths.ts";
import type { MessageType } from "./messages.ts";

type Validators = Readonly<Record<MessageType, ValidateFunction>>;
let validators: Validators | undefined;

function compile(): Validators {
  const schema = JSON.parse(readFileSync(specFile("protocol.schema.json"), "utf8")) as { $id: string };
  const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
  ajv.addSchema(schema);
  const get = (ref: string): ValidateFunction => {
    const v = ajv.getSchema(`${schema.$id}${ref}`);
    if (v === undefined) throw new Error(`spec/protocol.schema.json has no ${ref}`);
    return v;
  };
  return {
    hello: get("#/$defs/hello"),
    run: get("#/$defs/run"),
    layer_call: get("#/$defs/layer_call"),
    result: get("#/$defs/result"),
    layer_result: get("#/$defs/layer_result"),
    error: get("#/$defs/error"),
    unsupported: get("#/$defs/unsupported"),
    shutdown: get("#/$defs/shutdown"),
    gradients: get("#/$defs/gradients"),
    gradients_result: get("#/$defs/gradients_result"),
    layer_gradients: get("#/$defs/layer_gradients"),
    layer_gradients_result: get("#/$defs/layer_gradients_result"),
  };
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 3).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`).join("; ");
}

/**
 * Why `message` is not a valid protocol message (of `expected` type, when given), or undefined
 * when it is. A message without a known `type` is refused as such.
 */
export function protocolViolation(message: unknown, expected?: MessageType): string | undefined {
  validators ??= compile();
  const type = (message as { type?: unknown } | null)?.type;
  if (expected === undefined && !(typeof type === "string" && Object.hasOwn(validators, type))) {
    return `not a protocol message: "type" must be one of ${Object.keys(validators).join(", ")}; got ${JSON.stringify(type)}`;
  }
  const key: MessageType = expected ?? (type as MessageType);
  const validate = validators[key];
  return validate(message) ? undefined : `not a valid "${key}" message: ${describeErrors(validate.errors)}`;
}
