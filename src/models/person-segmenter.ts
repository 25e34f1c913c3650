import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { frameToTensor } from './image-tensor.ts';
import type { InferenceModel } from './inference-model.ts';
import { modelRuntime, loadOptions, type ModelWrapperOptions, type PlaneScaler } from './model-runtime.ts';

/** A person mask at the frame's resolution: 0 (background) to 255 (person), one byte per pixel. */
export interface PersonMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Person segmentation (MediaPipe selfie model, converted to ONNX by the zoo): `segment(frame)` returns the
 * probability of "person" for every pixel of the frame. Loads once; the tensors are reused frame after frame.
 */
export class PersonSegmenter {
  private readonly model: InferenceModel;
  private readonly size: number;
  private mask: PersonMask | null = null;
  private readonly scaler: PlaneScaler;
  private readonly small: Uint8Array;

  private constructor(model: InferenceModel, size: number, scaler: PlaneScaler) {
    this.model = model;
    this.size = size;
    this.scaler = scaler;
    this.small = new Uint8Array(size * size);
  }

  /** Build (on first use) and load the model. */
  static async load(options: ModelWrapperOptions = {}): Promise<PersonSegmenter> {
    const runtime = await modelRuntime(options.runtime);
    const model = await runtime.loadModel('selfie', loadOptions(options));
    return new PersonSegmenter(model, model.input.dims[1] as number, runtime.createScaler());
  }

  /** Which execution provider runs the model. */
  get provider(): string {
    return this.model.provider;
  }

  /** The model's raw output for `frame`: a size x size map of person probabilities (valid until the next call). */
  async probabilities(frame: Frame): Promise<Float32Array> {
    frameToTensor(frame, this.model.inputData, this.size, this.size);
    const outputs = await this.model.run();
    const out = Object.values(outputs)[0];
    if (!out || out.data.length !== this.size * this.size)
      throw new FramewiseError('unsupported-format', `the segmenter's output has ${out?.data.length ?? 0} values, expected ${this.size}x${this.size}`);
    return out.data;
  }

  /** The person mask of `frame` at its resolution (the returned buffer is reused by the next call). */
  async segment(frame: Frame): Promise<PersonMask> {
    const probabilities = await this.probabilities(frame);
    if (!this.mask || this.mask.width !== frame.width || this.mask.height !== frame.height) {
      this.mask = { width: frame.width, height: frame.height, data: new Uint8Array(frame.width * frame.height) };
    }
    // Quantise at the model's resolution (65k values), then let the runtime's scaler (swscale on the server) do the upscale to the frame's size.
    const small = this.small;
    for (let i = 0; i < small.length; i++) small[i] = (probabilities[i] as number) * 255 + 0.5;
    this.scaler.scale([small], this.size, this.size, [this.mask.data], frame.width, frame.height);
    return this.mask;
  }

  close(): Promise<void> {
    this.scaler[Symbol.dispose]();
    return this.model.close();
  }
}
