// simdnet/image: images to network inputs and classes. The decoders (jpeg-js, fast-png) come
// with decodeImage only; a page that decodes with createImageBitmap and imports classify alone
// leaves them out of its bundle (sideEffects: false).
export { decodeImage, type DecodedImage } from './decode.js';
export { preprocess, CONVENTIONS, type Convention, type PreprocessOptions, type Preprocessed, type RgbaImage } from './preprocess.js';
export { resizeBilinear, type Rgb8 } from './resize.js';
export { classify, parseLabels, probabilities, topK, type Classifier, type ClassifyOptions, type Prediction } from './classify.js';

/**
 * Where the 1,000 ImageNet class names (torchvision order) ship: data/imagenet/labels.txt in the
 * package. Read it with fs (Node) or fetch (a page serving the package), then parseLabels.
 */
export const IMAGENET_LABELS_URL: URL = new URL('../../data/imagenet/labels.txt', import.meta.url);
