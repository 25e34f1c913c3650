import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';

/** The slice of onnxruntime-node used here (typed locally so the rest of Framewise does not depend on its typings). */
interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  /** Declared type and shape of each input (numbers, or names for free dimensions); absent in old builds. */
  readonly inputMetadata?: readonly { readonly isTensor: boolean; readonly type?: string; readonly shape?: readonly (number | string)[] }[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(pathOrBytes: string | Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

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

/** Why the model's declared input does not take float32 tensors of `dims`, or null when it does. */
function inputMismatch(meta: NonNullable<OrtSession['inputMetadata']>[number] | undefined, dims: readonly number[]): string | null {
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) return `cannot take dimensions [${dims.join(', ')}]: give positive integers`;
  if (!meta?.isTensor) return null;
  if (meta.type !== undefined && meta.type !== 'float32') return `is ${meta.type}; OnnxModel feeds float32 tensors`;
  const shape = meta.shape ?? [];
  const fits = shape.length === 0 || (shape.length === dims.length && shape.every((d, i) => typeof d !== 'number' || d < 0 || d === dims[i]));
  return fits ? null : `has shape [${shape.join(', ')}], but [${dims.join(', ')}] was given: pass the model's input shape`;
}

/** One float32 input or output with its fixed shape. */
export interface TensorSpec {
  name: string;
  dims: readonly number[];
}

/**
 * An ONNX model loaded once, with its input and output buffers allocated once. `run()` calls are serialised (one
 * session runs one inference at a time), and a wrong input shape is an error naming the expected one.
 */
export class OnnxModel {
  readonly provider: string;
  readonly input: TensorSpec;
  readonly outputNames: readonly string[];
  /** Fill this, then call `run()`. */
  readonly inputData: Float32Array;
  private readonly session: OrtSession;
  private readonly inputTensor: OrtTensor;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(session: OrtSession, provider: string, input: TensorSpec) {
    this.session = session;
    this.provider = provider;
    this.input = input;
    this.outputNames = session.outputNames;
    this.inputData = new Float32Array(input.dims.reduce((a, b) => a * b, 1));
    this.inputTensor = new (onnxruntime().Tensor)('float32', this.inputData, input.dims);
  }

  /**
   * Load `model` (a path or the bytes of an .onnx file) whose single input has the fixed shape `inputDims`. Tries
   * each execution provider in turn; when all fail, one error lists every failure.
   */
  static async load(model: string | Uint8Array, inputDims: readonly number[], options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const providers = options.providers ?? defaultProviders();
    const failures: string[] = [];
    for (const provider of providers) {
      try {
        const session = await onnxruntime().InferenceSession.create(model, {
          executionProviders: [provider],
          intraOpNumThreads: options.threads ?? 1,
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
          extra: { session: { intra_op: { allow_spinning: options.spin === true ? '1' : '0' } } },
        });
        const name = session.inputNames[0];
        if (name === undefined || session.inputNames.length !== 1) {
          await session.release();
          throw new FramewiseError('unsupported-format', `the model has ${session.inputNames.length} inputs; OnnxModel takes models with one`);
        }
        const mismatch = inputMismatch(session.inputMetadata?.[0], inputDims);
        if (mismatch) {
          await session.release();
          throw new FramewiseError('invalid-argument', `input "${name}" ${mismatch}`);
        }
        return new OnnxModel(session, provider, { name, dims: inputDims });
      } catch (err) {
        if (err instanceof FramewiseError && err.code === 'invalid-argument') throw err;
        failures.push(`${provider}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
    const what = typeof model === 'string' ? model : 'the model';
    throw new FramewiseError('input-unreadable', `cannot load ${what} with any execution provider (${failures.join('; ')})`);
  }

  /** Run on `inputData`; resolves with each output's data (float32) and dims. Calls queue behind each other. */
  run(): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
    const next = this.queue.then(async () => {
      if (this.closed) throw new FramewiseError('invalid-state', 'the model is closed');
      const results = await this.session.run({ [this.input.name]: this.inputTensor });
      const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
      for (const [name, tensor] of Object.entries(results)) {
        if (!(tensor.data instanceof Float32Array)) throw new FramewiseError('unsupported-format', `output ${name} is not float32`);
        out[name] = { data: tensor.data, dims: tensor.dims };
      }
      return out;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Release the session after pending runs. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.session.release();
  }
}
