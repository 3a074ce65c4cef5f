// Model import: the user's own trained network as the graph IR (entry point `simdnet/import`).
export { loadModel, isModelPath, type LoadModelOptions, type ModelSource, type TfjsModelBytes } from './load.js';
export { importTfjsLayers, TFJS_IMPORT_LAYERS, type TfjsImportOptions, type TfjsWeightData } from '../tfjs/import.js';
export { importONNX, ModelImportError, ONNX_IMPORT_OPS, type ImportOptions, type ImportedModel } from '../onnx/import.js';
