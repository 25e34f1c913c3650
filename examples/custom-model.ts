// Bring your own ONNX model: a task wrapper is "fill the input from the frame, run, read the outputs".
// This one reports how much of each frame is a person, with any segmentation model that takes a float32 NHWC
// [1, H, W, 3] image in [0, 1] and returns a [1, H, W, 1] probability map. Without a model argument it uses the
// zoo's selfie model (built on first use).
//   node --import tsx examples/custom-model.ts ../shared/testdata/videos/desk_person_again.mkv [my-model.onnx 256]
import type { Frame } from '../src/core/frame.ts';
import { Pipeline } from '../src/core/pipeline.ts';
import { render } from '../src/core/policy.ts';
import { NullSink } from '../src/core/sink.ts';
import type { Stage } from '../src/core/stage.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { frameToTensor } from '../src/models/image-tensor.ts';
import { OnnxModel } from '../src/models/onnx-model.ts';
import { ensureModel } from '../src/models/zoo.ts';

declare module '../src/core/frame.ts' {
  interface FrameMeta {
    /** Share of the picture the model says is a person (0-1). */
    personShare?: number;
  }
}

/** The task wrapper: one model, loaded once in open(); one run per frame; the result goes into frame.meta. */
class PersonShareStage implements Stage {
  readonly name = 'person-share';
  private model: OnnxModel | null = null;

  constructor(
    private readonly modelPath: string,
    private readonly size: number,
  ) {}

  async open(): Promise<void> {
    this.model = await OnnxModel.load(this.modelPath, [1, this.size, this.size, 3]);
  }

  async process(frame: Frame): Promise<Frame> {
    const model = this.model as OnnxModel;
    frameToTensor(frame, model.inputData, this.size, this.size);
    const [output] = Object.values(await model.run());
    if (!output) throw new Error('the model returned nothing');
    frame.meta.personShare = output.data.filter((p) => p > 0.5).length / output.data.length;
    return frame;
  }

  async close(): Promise<void> {
    await this.model?.close();
  }
}

const [input, modelArg, sizeArg] = process.argv.slice(2);
if (!input) {
  console.error('usage: examples/custom-model.ts <video> [model.onnx input-size]');
  process.exit(2);
}
const modelPath = modelArg ?? (await ensureModel('selfie')).path;
const shares: number[] = [];
const result = await new Pipeline({
  source: new MediaSource({ input, format: 'i420' }),
  stages: [new PersonShareStage(modelPath, Number(sizeArg ?? 256))],
  sink: new NullSink(),
  policy: render({ concurrency: 1 }),
  onFrameOut: (frame) => shares.push(frame.meta.personShare ?? Number.NaN),
}).run();
const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
console.log(`${shares.length} frames, person ${(mean * 100).toFixed(1)} % of the picture on average, stage p50 ${result.stats.stages[0]?.p50.toFixed(2)} ms`);
