import { PictureScaler } from '../io/picture-scaler.ts';
import type { ModelRuntime } from './model-runtime.ts';
import { loadZooModel } from './zoo.ts';

/** The server's runtime: zoo models built into the model cache and run by onnxruntime-node, pictures resized by swscale. */
export const nodeModelRuntime: ModelRuntime = {
  name: 'node',
  loadModel: (name, options = {}) => loadZooModel(name, options),
  createScaler: () => new PictureScaler(),
};
