// TensorFlow Lite export: the graph IR and its weights as a .tflite flatbuffer, for LiteRT.js and
// the LiteRT / TensorFlow Lite runtimes on Android and iOS.
export { toTFLite, TFLITE_SIGNATURE, type ToTFLiteOptions } from './export.js';
