/** One float32 input or output with its fixed shape. */
export interface TensorSpec {
  name: string;
  dims: readonly number[];
}

/** What one inference returns: each output's float32 data and dims, by output name. */
export type ModelOutputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

/**
 * A loaded model with one float32 input, as the task wrappers (segmenter, detectors, landmarkers) use it: fill
 * `inputData`, call `run()`. onnxruntime-node implements it on the server, onnxruntime-web in the page.
 */
export interface InferenceModel {
  /** Which execution provider runs it ("cpu", "cuda", "wasm", "webgpu"). */
  readonly provider: string;
  readonly input: TensorSpec;
  readonly outputNames: readonly string[];
  /** Fill this, then call `run()`. */
  readonly inputData: Float32Array;
  /** Run on `inputData`; calls queue behind each other. */
  run(): Promise<ModelOutputs>;
  /** Release the model after pending runs. Safe to call twice. */
  close(): Promise<void>;
}

/** Why a model's declared input does not take float32 tensors of `dims`, or null when it does. */
export function inputMismatch(
  meta: { readonly isTensor: boolean; readonly type?: string; readonly shape?: readonly (number | string)[] } | undefined,
  dims: readonly number[],
): string | null {
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) return `cannot take dimensions [${dims.join(', ')}]: give positive integers`;
  if (!meta?.isTensor) return null;
  if (meta.type !== undefined && meta.type !== 'float32') return `is ${meta.type}; the model wrappers feed float32 tensors`;
  const shape = meta.shape ?? [];
  const fits = shape.length === 0 || (shape.length === dims.length && shape.every((d, i) => typeof d !== 'number' || d < 0 || d === dims[i]));
  return fits ? null : `has shape [${shape.join(', ')}], but [${dims.join(', ')}] was given: pass the model's input shape`;
}
