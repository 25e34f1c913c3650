import { FramewiseError } from '../core/errors.ts';
import { BackgroundStage, colourToYuv, isColour } from './background-stage.ts';
import { type EffectDefinition, stageModelOptions } from './effect.ts';

/** `blur[:radius]`: the background behind the person blurred. */
export const blurEffect: EffectDefinition = {
  name: 'blur',
  argument: { name: 'radius px', required: false, help: 'blur radius in pixels, 2-200 (default 24)' },
  summary: 'blurs the background behind the person (selfie segmentation, ONNX); radius default 24',
  costMs: 8,
  // The mask is an exponential average (weight 0.6): after 12 frames an earlier frame weighs < 2e-5.
  historyFrames: 12,
  create: (arg, ctx) => {
    const radiusPx = arg === undefined ? 24 : Number(arg);
    if (!/^\d+(\.\d+)?$/.test(arg ?? '24') || !Number.isFinite(radiusPx) || radiusPx < 2 || radiusPx > 200)
      throw new FramewiseError('invalid-argument', `blur radius must be 2-200 px (got "${arg}")`);
    return new BackgroundStage('blur', { kind: 'blur', radiusPx }, stageModelOptions(ctx));
  },
};

/** `replace:<colour|picture>`: the background behind the person replaced. */
export const replaceEffect: EffectDefinition = {
  name: 'replace',
  argument: { name: 'colour|picture', required: true, help: '#rrggbb, a colour name (green, blue, black, white, gray) or a picture' },
  summary: 'replaces the background behind the person with a colour or a picture',
  costMs: 7,
  historyFrames: 12,
  create: (arg, ctx) => {
    if (arg === undefined)
      throw new FramewiseError('invalid-argument', 'effect "replace" needs a colour or a picture, e.g. replace:green or replace:beach.jpg');
    const options = stageModelOptions(ctx);
    if (isColour(arg)) return new BackgroundStage('replace', { kind: 'colour', yuv: colourToYuv(arg) }, options);
    return new BackgroundStage('replace', { kind: 'picture', load: ctx.pictures.resolve(arg) }, options);
  },
};
