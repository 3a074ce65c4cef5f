// Generated from src/cost/devices/*.json by scripts/calibrate-devices.mjs (npm run calibrate:devices); do not edit.
import type { DeviceProfile } from '../profile.js';

/** The built-in device profiles, by name. */
export const BUILTIN_PROFILES: Readonly<Record<string, DeviceProfile>> = Object.freeze({
  'tx1': {
    "schema": "simdnet-device/1",
    "name": "tx1",
    "description": "NVIDIA Jetson TX1 (Maxwell GPU, 256 CUDA cores), PyTorch eager mode with cuDNN, fp32",
    "execution": "pytorch",
    "bandwidthGBs": 14.0692,
    "classes": {
      "conv": {
        "gflops": 331.098,
        "overheadUs": 46.2259
      },
      "conv1x1": {
        "gflops": 510.994,
        "overheadUs": 46.2259
      },
      "dwconv": {
        "gflops": 16.701,
        "overheadUs": 46.2259
      },
      "fc": {
        "gflops": 510.908,
        "overheadUs": 46.2259
      },
      "pool": {
        "gflops": 511,
        "overheadUs": 59.6759
      },
      "eltwise": {
        "gflops": 511,
        "overheadUs": 59.6759
      },
      "other": {
        "gflops": 511,
        "overheadUs": 59.6759
      }
    },
    "kinds": {
      "conv3x3": {
        "gflops": 379.74,
        "overheadUs": 46.2259
      },
      "gconv": {
        "gflops": 353.296,
        "overheadUs": 46.2259
      },
      "globalavgpool": {
        "gflops": 0.625687,
        "overheadUs": 59.6759
      },
      "channelmul": {
        "gflops": 511,
        "overheadUs": 59.6759
      }
    },
    "gpu": {
      "sms": 2,
      "tileM": 64,
      "tileN": 64,
      "l2Bytes": 262144,
      "groupUs": 24.3062,
      "l2GBs": 14.0743
    },
    "launch": {
      "issueUs": 126.471
    },
    "power": {
      "watts": 6,
      "source": "NVIDIA whitepaper \"GPU-Based Deep Learning Inference: A Performance and Power Analysis\" (Nov 2015): GoogLeNet on the Jetson TX1 at up to 75 images/s \"using up to 6 W\"; Canziani et al. 2016 found power nearly independent of batch size and architecture, so one figure is used for every network"
    },
    "source": "fitted by scripts/calibrate-devices.mjs to S. Bianco, R. Cadene, L. Celona, P. Napoletano, \"Benchmark Analysis of Representative Deep Neural Network Architectures\", IEEE Access 6:64270-64277, 2018 (arXiv:1810.00736v2), Table 1(b) (data/tx1/bianco2018_tx1_ms_per_image.csv); PyTorch's kernels (framework lowering), a launch queue, convolutions priced on whole 64 x 64 tiles over 2 SMs; pool / eltwise / other at the memory roofline",
    "fit": {
      "method": "Nelder-Mead on mean squared log error, bounded parameters (scripts/calibrate-devices.mjs)",
      "points": 231,
      "networks": [
        "alexnet",
        "inception-v2",
        "caffe-resnet-101",
        "densenet-121",
        "densenet-169",
        "densenet-201",
        "densenet-161",
        "dpn-68",
        "dpn-98",
        "dpn-131",
        "fbresnet-152",
        "bvlc-googlenet",
        "inception-resnet-v2",
        "inception-v3",
        "inception-v4",
        "mobilenet-v1",
        "mobilenet-v2",
        "resnet-101",
        "resnet-152",
        "resnet-18",
        "resnet-50",
        "resnext-101-32x4d",
        "resnext-101-64x4d",
        "se-resnet-101",
        "se-resnet-152",
        "se-resnet-50",
        "se-resnext-101-32x4d",
        "se-resnext-50-32x4d",
        "senet-154",
        "shufflenet-g8",
        "squeezenet-1.0",
        "squeezenet-1.1",
        "vgg-11",
        "vgg-11-bn",
        "vgg-16",
        "vgg-16-bn",
        "vgg-19",
        "vgg-19-bn",
        "xception"
      ],
      "lono": {
        "points": 231,
        "median": 0.0697,
        "p90": 0.304,
        "max": 0.7388
      },
      "baselineLono": {
        "points": 231,
        "median": 0.203,
        "p90": 0.529,
        "max": 1.3607
      },
      "lofo": {
        "points": 231,
        "median": 0.0909,
        "p90": 0.3458,
        "max": 0.5677
      },
      "baselineLofo": {
        "points": 231,
        "median": 0.2367,
        "p90": 0.5667,
        "max": 1.3607
      },
      "tileChoice": [
        {
          "tile": "64x64",
          "trainingMsle": 0.0292,
          "lofoMsle": 0.037
        },
        {
          "tile": "128x64",
          "trainingMsle": 0.0287,
          "lofoMsle": 0.0399
        },
        {
          "tile": "128x128",
          "trainingMsle": 0.034,
          "lofoMsle": 0.0654
        }
      ],
      "training": {
        "points": 231,
        "median": 0.0664,
        "p90": 0.2986,
        "max": 0.6959
      }
    }
  },
  'titan-xp': {
    "schema": "simdnet-device/1",
    "name": "titan-xp",
    "description": "NVIDIA Titan Xp (Pascal GP102, 3840 CUDA cores), PyTorch eager mode with cuDNN, fp32",
    "execution": "pytorch",
    "bandwidthGBs": 381.211,
    "classes": {
      "conv": {
        "gflops": 7540.03,
        "overheadUs": 27.501
      },
      "conv1x1": {
        "gflops": 12145.6,
        "overheadUs": 27.501
      },
      "dwconv": {
        "gflops": 198.98,
        "overheadUs": 27.501
      },
      "fc": {
        "gflops": 12150,
        "overheadUs": 27.501
      },
      "pool": {
        "gflops": 12150,
        "overheadUs": 7.88261
      },
      "eltwise": {
        "gflops": 12150,
        "overheadUs": 7.88261
      },
      "other": {
        "gflops": 12150,
        "overheadUs": 7.88261
      }
    },
    "kinds": {
      "conv3x3": {
        "gflops": 17970.9,
        "overheadUs": 27.501
      },
      "gconv": {
        "gflops": 12150,
        "overheadUs": 27.501
      },
      "globalavgpool": {
        "gflops": 8.45877,
        "overheadUs": 7.88261
      },
      "channelmul": {
        "gflops": 47.1699,
        "overheadUs": 7.88261
      }
    },
    "gpu": {
      "sms": 30,
      "tileM": 128,
      "tileN": 64,
      "l2Bytes": 3145728,
      "groupUs": 8.03501,
      "l2GBs": 7624.22
    },
    "launch": {
      "issueUs": 17.1237
    },
    "power": {
      "watts": 250,
      "source": "NVIDIA TITAN Xp specifications: 250 W graphics card power (TDP). A spec-sheet upper bound, not a measurement during inference, so energy per image is an upper bound too"
    },
    "source": "fitted by scripts/calibrate-devices.mjs to S. Bianco, R. Cadene, L. Celona, P. Napoletano, \"Benchmark Analysis of Representative Deep Neural Network Architectures\", IEEE Access 6:64270-64277, 2018 (arXiv:1810.00736v2), Table 1(a) (data/tx1/bianco2018_titanxp_ms_per_image.csv); PyTorch's kernels (framework lowering), a launch queue, convolutions priced on whole 128 x 64 tiles over 30 SMs; pool / eltwise / other at the memory roofline",
    "fit": {
      "method": "Nelder-Mead on mean squared log error, bounded parameters (scripts/calibrate-devices.mjs)",
      "points": 273,
      "networks": [
        "alexnet",
        "inception-v2",
        "caffe-resnet-101",
        "densenet-121",
        "densenet-169",
        "densenet-201",
        "densenet-161",
        "dpn-68",
        "dpn-98",
        "dpn-131",
        "fbresnet-152",
        "bvlc-googlenet",
        "inception-resnet-v2",
        "inception-v3",
        "inception-v4",
        "mobilenet-v1",
        "mobilenet-v2",
        "resnet-101",
        "resnet-152",
        "resnet-18",
        "resnet-50",
        "resnext-101-32x4d",
        "resnext-101-64x4d",
        "se-resnet-101",
        "se-resnet-152",
        "se-resnet-50",
        "se-resnext-101-32x4d",
        "se-resnext-50-32x4d",
        "senet-154",
        "shufflenet-g8",
        "squeezenet-1.0",
        "squeezenet-1.1",
        "vgg-11",
        "vgg-11-bn",
        "vgg-16",
        "vgg-16-bn",
        "vgg-19",
        "vgg-19-bn",
        "xception"
      ],
      "lono": {
        "points": 273,
        "median": 0.061,
        "p90": 0.186,
        "max": 0.4617
      },
      "baselineLono": {
        "points": 273,
        "median": 0.4952,
        "p90": 0.7059,
        "max": 2.6192
      },
      "lofo": {
        "points": 273,
        "median": 0.0828,
        "p90": 0.2081,
        "max": 0.5238
      },
      "baselineLofo": {
        "points": 273,
        "median": 0.5338,
        "p90": 1.3387,
        "max": 3.7637
      },
      "tileChoice": [
        {
          "tile": "64x64",
          "trainingMsle": 0.0172,
          "lofoMsle": 0.0303
        },
        {
          "tile": "128x64",
          "trainingMsle": 0.0145,
          "lofoMsle": 0.0261
        },
        {
          "tile": "128x128",
          "trainingMsle": 0.0192,
          "lofoMsle": 0.0421
        }
      ],
      "training": {
        "points": 273,
        "median": 0.0563,
        "p90": 0.1782,
        "max": 0.4556
      }
    },
    "memory": {
      "floorBytes": 625000000,
      "weightFactor": 1.1,
      "activationFactor": 1.1261,
      "source": "fitted by scripts/calibrate-devices.mjs to S. Bianco, R. Cadene, L. Celona, P. Napoletano, \"Benchmark Analysis of Representative Deep Neural Network Architectures\", IEEE Access 6:64270-64277, 2018 (arXiv:1810.00736v2), Table 2 (data/tx1/bianco2018_titanxp_gpu_memory_gb.csv): 261 of 273 points within 15% with the measuring run replayed, 131 as predicted here for a process of its own (fit-report.md)"
    }
  },
}) as Record<string, DeviceProfile>;
