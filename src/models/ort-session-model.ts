import { FramewiseError } from '../core/errors.ts';
import { inputMismatch, type InferenceModel, type ModelOutputs, type TensorSpec } from './inference-model.ts';

/**
 * The slice of ONNX Runtime's JavaScript API used here. onnxruntime-node and onnxruntime-web expose the same one,
 * so one wrapper serves the server and the page (typed locally so the rest of Framewise does not depend on either's
 * typings).
 */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  /** Declared type and shape of each input (numbers, or names for free dimensions); absent in old builds. */
  readonly inputMetadata?: readonly { readonly isTensor: boolean; readonly type?: string; readonly shape?: readonly (number | string)[] }[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(pathOrBytes: string | Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/**
 * An ONNX model in one ONNX Runtime session, with its input and output buffers allocated once. `run()` calls are
 * serialised (one session runs one inference at a time), and a wrong input shape is an error naming the expected one.
 */
export class OrtSessionModel implements InferenceModel {
  readonly provider: string;
  readonly input: TensorSpec;
  readonly outputNames: readonly string[];
  readonly inputData: Float32Array;
  private readonly session: OrtSession;
  private readonly inputTensor: OrtTensor;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  protected constructor(ort: OrtModule, session: OrtSession, provider: string, input: TensorSpec) {
    this.session = session;
    this.provider = provider;
    this.input = input;
    this.outputNames = session.outputNames;
    this.inputData = new Float32Array(input.dims.reduce((a, b) => a * b, 1));
    this.inputTensor = new ort.Tensor('float32', this.inputData, input.dims);
  }

  /**
   * Open `model` (a path or the bytes of an .onnx file) whose single input has the fixed shape `inputDims`, trying
   * each execution provider in turn with the session options `optionsFor` gives it; when all fail, one error lists
   * every failure. A model that does not take `inputDims` is refused at once.
   */
  protected static async open(
    ort: OrtModule,
    model: string | Uint8Array,
    inputDims: readonly number[],
    providers: readonly string[],
    optionsFor: (provider: string) => Record<string, unknown>,
  ): Promise<{ session: OrtSession; provider: string; input: TensorSpec }> {
    const failures: string[] = [];
    for (const provider of providers) {
      try {
        const session = await ort.InferenceSession.create(model, optionsFor(provider));
        const name = session.inputNames[0];
        if (name === undefined || session.inputNames.length !== 1) {
          await session.release();
          throw new FramewiseError('unsupported-format', `the model has ${session.inputNames.length} inputs; Framewise's model wrappers take models with one`);
        }
        const mismatch = inputMismatch(session.inputMetadata?.[0], inputDims);
        if (mismatch) {
          await session.release();
          throw new FramewiseError('invalid-argument', `input "${name}" ${mismatch}`);
        }
        return { session, provider, input: { name, dims: inputDims } };
      } catch (err) {
        if (err instanceof FramewiseError && err.code === 'invalid-argument') throw err;
        failures.push(`${provider}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
    const what = typeof model === 'string' ? model : 'the model';
    throw new FramewiseError('input-unreadable', `cannot load ${what} with any execution provider (${failures.join('; ')})`);
  }

  run(): Promise<ModelOutputs> {
    const next = this.queue.then(async () => {
      if (this.closed) throw new FramewiseError('invalid-state', 'the model is closed');
      const results = await this.session.run({ [this.input.name]: this.inputTensor });
      const out: ModelOutputs = {};
      for (const [name, tensor] of Object.entries(results)) {
        if (!(tensor.data instanceof Float32Array)) throw new FramewiseError('unsupported-format', `output ${name} is not float32`);
        out[name] = { data: tensor.data, dims: tensor.dims };
      }
      return out;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.session.release();
  }
}
