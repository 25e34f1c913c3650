import { FramewiseError } from '../core/errors.ts';
import type { PlaneBuffers as PicturePlanes } from '../core/picture.ts';
import type { InferenceModel } from './inference-model.ts';

/** Resizes I420 (three planes) or gray (one plane) pictures, bilinear. */
export interface PlaneScaler extends Disposable {
  /** Resize `src` (`srcWidth` x `srcHeight`) into `dst` (`dstWidth` x `dstHeight`); one plane means gray. */
  scale(src: PicturePlanes, srcWidth: number, srcHeight: number, dst: PicturePlanes, dstWidth: number, dstHeight: number): void;
}

/** How a zoo model is loaded: where the server keeps built models, and how many threads one inference may use. */
export interface ModelLoadOptions {
  /** Model cache folder on the server (default: the zoo's). */
  modelsDir?: string;
  /** Threads for one inference (default 1). */
  threads?: number;
  /** Execution providers to try in order (default: the runtime's best). */
  providers?: readonly string[];
  /** Let the server's pool threads spin between runs (default false). */
  spin?: boolean;
}

/**
 * Where the model wrappers get their models and their picture resizer: onnxruntime-node and swscale on the server
 * (the default), onnxruntime-web and JavaScript in the page (`framewise/browser`). The wrappers and effects are the
 * same code on both.
 */
export interface ModelRuntime {
  /** "node" or "browser", for reports. */
  readonly name: string;
  /** Load zoo model `name` (building or fetching it as the runtime does). */
  loadModel(name: string, options?: ModelLoadOptions): Promise<InferenceModel>;
  createScaler(): PlaneScaler;
}

/** Options of the model wrappers' `load`: model options, and the runtime to load with (default: the server's). */
export interface ModelWrapperOptions extends ModelLoadOptions {
  runtime?: ModelRuntime;
}

/**
 * The runtime a wrapper loads with: the one given, else the server's (onnxruntime-node), imported on first use so
 * that a page bundle, which always passes its own, never pulls in Node's modules (package.json's "browser" field
 * maps that module away).
 */
export async function modelRuntime(given?: ModelRuntime): Promise<ModelRuntime> {
  if (given) return given;
  const server = (await import('./node-model-runtime.ts')) as { nodeModelRuntime?: ModelRuntime };
  if (!server.nodeModelRuntime)
    throw new FramewiseError('invalid-state', 'no model runtime here: in a page, pass the browser runtime (createBrowserRuntime from framewise/browser)');
  return server.nodeModelRuntime;
}

/** `options` without the runtime, as a runtime's loadModel takes them. */
export function loadOptions(options: ModelWrapperOptions): ModelLoadOptions {
  return {
    ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.providers === undefined ? {} : { providers: options.providers }),
    ...(options.spin === undefined ? {} : { spin: options.spin }),
  };
}

/** Load zoo model `name` with the wrapper options' runtime (the server's by default). */
export async function loadRuntimeModel(name: string, options: ModelWrapperOptions): Promise<InferenceModel> {
  return (await modelRuntime(options.runtime)).loadModel(name, loadOptions(options));
}
