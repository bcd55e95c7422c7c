/**
 * The part of ONNX's protobuf schema (onnx/onnx `onnx/onnx.proto`, IR version 8) needed to write a
 * model with LSTM nodes, as a protobufjs descriptor. Field numbers and types are ONNX's; only the
 * fields this suite writes are listed, which protobuf permits (a reader ignores nothing we omit,
 * because omitted fields are simply absent). protobufjs does the wire encoding, so no hand-written
 * varint code lives here.
 */
import protobuf from "protobufjs";

/** `TensorProto.DataType` values used here (onnx.proto `enum DataType`). */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

/** `AttributeProto.AttributeType` values used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const descriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            floats: { rule: "repeated", type: "float", id: 7 },
            ints: { rule: "repeated", type: "int64", id: 8 },
            strings: { rule: "repeated", type: "bytes", id: 9 },
            type: { type: "int32", id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
            domain: { type: "string", id: 7 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            dataType: { type: "int32", id: 2 },
            floatData: { rule: "repeated", type: "float", id: 4 },
            int32Data: { rule: "repeated", type: "int32", id: 5 },
            int64Data: { rule: "repeated", type: "int64", id: 7 },
            name: { type: "string", id: 8 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
          nested: {
            Dimension: {
              fields: { dimValue: { type: "int64", id: 1 }, dimParam: { type: "string", id: 2 } },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: "Tensor", id: 1 } },
          nested: {
            Tensor: {
              fields: { elemType: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } },
            },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
        },
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            producerName: { type: "string", id: 2 },
            producerVersion: { type: "string", id: 3 },
            graph: { type: "GraphProto", id: 7 },
            opsetImport: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

/** protobufjs's encoder for `onnx.ModelProto`. */
export const ModelProto = root.lookupType("onnx.ModelProto");

/** The plain-object shapes accepted by {@link encodeModel} (protobufjs camelCase field names). */
export interface OnnxAttribute {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly strings?: readonly Uint8Array[];
}
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly attribute: readonly OnnxAttribute[];
}
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly floatData?: readonly number[] | Float32Array;
  readonly int32Data?: readonly number[] | Int32Array;
  readonly int64Data?: readonly number[];
}
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  readonly shape: readonly number[];
}
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: { tensorType: { elemType: v.elemType, shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

/** Encodes a one-graph model in the default ONNX domain at `opset`. */
export function encodeModel(graph: OnnxGraph, opset: number, producer: { name: string; version: string }): Uint8Array {
  const message = ModelProto.fromObject({
    // IR version 8 goes with opsets up to 18 (onnx/onnx docs/Versioning.md).
    irVersion: 8,
    producerName: producer.name,
    producerVersion: producer.version,
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: graph.name,
      node: graph.nodes.map((n) => ({ ...n, domain: "" })),
      initializer: graph.initializers.map((t) => ({
        ...t,
        floatData: t.floatData ? Array.from(t.floatData) : [],
        int32Data: t.int32Data ? Array.from(t.int32Data) : [],
        int64Data: t.int64Data ? [...t.int64Data] : [],
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}
