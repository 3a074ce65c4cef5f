// Generated from src/cost/devices/*.json by scripts/calibrate-devices.mjs (npm run calibrate:devices); do not edit.
import type { DeviceProfile } from '../profile.js';

/** The built-in device profiles, by name. */
export const BUILTIN_PROFILES: Readonly<Record<string, DeviceProfile>> = Object.freeze({
  'tx1': {
    "schema": "simdnet-device/1",
    "name": "tx1",
    "description": "NVIDIA Jetson TX1 (Maxwell GPU, 256 CUDA cores), PyTorch eager mode with cuDNN, fp32",
    "execution": "eager",
    "bandwidthGBs": 12.6014,
    "classes": {
      "conv": {
        "gflops": 363.455,
        "overheadUs": 58.014
      },
      "conv1x1": {
        "gflops": 511,
        "overheadUs": 58.014
      },
      "dwconv": {
        "gflops": 511,
        "overheadUs": 58.014
      },
      "fc": {
        "gflops": 511,
        "overheadUs": 58.014
      },
      "pool": {
        "gflops": 2.34567,
        "overheadUs": 58.014
      },
      "eltwise": {
        "gflops": 4.32477,
        "overheadUs": 58.014
      },
      "other": {
        "gflops": 4.32477,
        "overheadUs": 58.014
      }
    },
    "power": {
      "watts": 6,
      "source": "NVIDIA whitepaper \"GPU-Based Deep Learning Inference: A Performance and Power Analysis\" (Nov 2015): GoogLeNet on the Jetson TX1 at up to 75 images/s \"using up to 6 W\"; Canziani et al. 2016 found power nearly independent of batch size and architecture, so one figure is used for every network"
    },
    "source": "fitted by scripts/calibrate-devices.mjs to S. Bianco, R. Cadene, L. Celona, P. Napoletano, \"Benchmark Analysis of Representative Deep Neural Network Architectures\", IEEE Access 6:64270-64277, 2018 (arXiv:1810.00736v2), Table 1(b) (data/tx1/bianco2018_tx1_ms_per_image.csv); one per-layer overhead for every class; 'other' tied to 'eltwise'",
    "fit": {
      "method": "Nelder-Mead on mean squared log error, bounded parameters (scripts/calibrate-devices.mjs)",
      "points": 100,
      "networks": [
        "alexnet",
        "inception-v2",
        "googlenet",
        "inception-v3",
        "inception-v4",
        "mobilenet-v1",
        "mobilenet-v2",
        "resnet-101",
        "resnet-152",
        "resnet-18",
        "resnet-50",
        "vgg-11",
        "vgg-11-bn",
        "vgg-16",
        "vgg-16-bn",
        "vgg-19",
        "vgg-19-bn"
      ],
      "lono": {
        "points": 100,
        "median": 0.0924,
        "p90": 0.2798,
        "max": 0.6804
      },
      "baselineLono": {
        "points": 100,
        "median": 0.165,
        "p90": 0.5187,
        "max": 1.383
      },
      "training": {
        "points": 100,
        "median": 0.0821,
        "p90": 0.2705,
        "max": 0.6463
      }
    }
  },
  'titan-xp': {
    "schema": "simdnet-device/1",
    "name": "titan-xp",
    "description": "NVIDIA Titan Xp (Pascal GP102, 3840 CUDA cores), PyTorch eager mode with cuDNN, fp32",
    "execution": "eager",
    "bandwidthGBs": 301.7,
    "classes": {
      "conv": {
        "gflops": 16262.8,
        "overheadUs": 19.2771
      },
      "conv1x1": {
        "gflops": 12150,
        "overheadUs": 19.2771
      },
      "dwconv": {
        "gflops": 12138.6,
        "overheadUs": 19.2771
      },
      "fc": {
        "gflops": 5796.2,
        "overheadUs": 19.2771
      },
      "pool": {
        "gflops": 54.3353,
        "overheadUs": 19.2771
      },
      "eltwise": {
        "gflops": 2353.49,
        "overheadUs": 19.2771
      },
      "other": {
        "gflops": 2353.49,
        "overheadUs": 19.2771
      }
    },
    "power": {
      "watts": 250,
      "source": "NVIDIA TITAN Xp specifications: 250 W graphics card power (TDP). A spec-sheet upper bound, not a measurement during inference, so energy per image is an upper bound too"
    },
    "source": "fitted by scripts/calibrate-devices.mjs to S. Bianco, R. Cadene, L. Celona, P. Napoletano, \"Benchmark Analysis of Representative Deep Neural Network Architectures\", IEEE Access 6:64270-64277, 2018 (arXiv:1810.00736v2), Table 1(a) (data/tx1/bianco2018_titanxp_ms_per_image.csv); one per-layer overhead for every class; 'other' tied to 'eltwise'",
    "fit": {
      "method": "Nelder-Mead on mean squared log error, bounded parameters (scripts/calibrate-devices.mjs)",
      "points": 119,
      "networks": [
        "alexnet",
        "inception-v2",
        "googlenet",
        "inception-v3",
        "inception-v4",
        "mobilenet-v1",
        "mobilenet-v2",
        "resnet-101",
        "resnet-152",
        "resnet-18",
        "resnet-50",
        "vgg-11",
        "vgg-11-bn",
        "vgg-16",
        "vgg-16-bn",
        "vgg-19",
        "vgg-19-bn"
      ],
      "lono": {
        "points": 119,
        "median": 0.131,
        "p90": 0.2682,
        "max": 0.4796
      },
      "baselineLono": {
        "points": 119,
        "median": 0.3869,
        "p90": 0.6778,
        "max": 2.6337
      },
      "training": {
        "points": 119,
        "median": 0.1149,
        "p90": 0.2602,
        "max": 0.4718
      }
    }
  },
}) as Record<string, DeviceProfile>;
