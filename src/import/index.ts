// Model import: the user's own trained network as the graph IR (entry point `simdnet/import`).
export { loadModel, type LoadModelOptions, type ModelSource } from './load.js';
export { importONNX, ModelImportError, ONNX_IMPORT_OPS, type ImportOptions, type ImportedModel } from '../onnx/import.js';
