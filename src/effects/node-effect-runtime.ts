import { createCanvas } from '@napi-rs/canvas';
import { nodeModelRuntime } from '../models/node-model-runtime.ts';
import type { EffectRuntime } from './effect-runtime.ts';

/** The server's effect runtime: onnxruntime-node, swscale, and Skia canvases (@napi-rs/canvas). */
export const nodeEffectRuntime: EffectRuntime = {
  ...nodeModelRuntime,
  createCanvas: (width, height) => createCanvas(width, height),
};
