// ONNX export: the graph IR and its weights as an ONNX model, for ONNX Runtime and friends.
export { toONNX, ONNX_OPSET, type ToONNXOptions } from './export.js';
// ONNX import: a .onnx file as the graph IR and its weights (see import.ts).
export { importONNX, ModelImportError, ONNX_IMPORT_OPS, SUPPORTED_OPSETS, type ImportOptions, type ImportedModel } from './import.js';
