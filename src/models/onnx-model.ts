import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type OrtModule, OrtSessionModel } from './ort-session-model.ts';

export type { TensorSpec } from './inference-model.ts';

/**
 * CUDA first when onnxruntime-node was installed with its CUDA provider (the library sits beside the binding) or
 * FRAMEWISE_CUDA=1 asks for it; CPU otherwise. FRAMEWISE_CUDA=0 keeps CUDA out.
 */
function defaultProviders(): string[] {
  if (process.env.FRAMEWISE_CUDA === '0') return ['cpu'];
  if (process.env.FRAMEWISE_CUDA === '1') return ['cuda', 'cpu'];
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin');
    const hasCuda = readdirSync(bin).some((napi) => existsSync(join(bin, napi, process.platform, process.arch, 'libonnxruntime_providers_cuda.so')));
    return hasCuda ? ['cuda', 'cpu'] : ['cpu'];
  } catch {
    return ['cpu'];
  }
}

let ort: OrtModule | null = null;
function onnxruntime(): OrtModule {
  ort ??= createRequire(import.meta.url)('onnxruntime-node') as OrtModule;
  return ort;
}

/** Options of `OnnxModel.load`. */
export interface OnnxModelOptions {
  /** Execution providers to try in order (default: CUDA when onnxruntime-node has its CUDA provider or FRAMEWISE_CUDA=1, then CPU). */
  providers?: readonly string[];
  /** Threads for one inference (default 1: live sessions run side by side, each on its own core). */
  threads?: number;
  /**
   * Let pool threads spin between runs (only with threads > 1; default false). Spinning shaves wake-up time off a
   * lone stream, but steals the cores that other sessions and the decoder are waiting for.
   */
  spin?: boolean;
}

/** An ONNX model in onnxruntime-node (the server's engine): CUDA when available, else CPU. */
export class OnnxModel extends OrtSessionModel {
  /**
   * Load `model` (a path or the bytes of an .onnx file) whose single input has the fixed shape `inputDims`. Tries
   * each execution provider in turn; when all fail, one error lists every failure.
   */
  static async load(model: string | Uint8Array, inputDims: readonly number[], options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const runtime = onnxruntime();
    const opened = await OrtSessionModel.open(runtime, model, inputDims, options.providers ?? defaultProviders(), (provider) => ({
      executionProviders: [provider],
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: options.spin === true ? '1' : '0' } } },
    }));
    return new OnnxModel(runtime, opened.session, opened.provider, opened.input);
  }
}
