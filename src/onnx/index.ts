// ONNX export: the graph IR and its weights as an ONNX model, for ONNX Runtime and friends.
export { toONNX, ONNX_OPSET, type ToONNXOptions } from './export.js';
