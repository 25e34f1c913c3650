import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import type { EffectDefinition } from './effect.ts';

/** Removes colour. On i420/nv12 it only sets the chroma planes to neutral, so it costs almost nothing. */
export class GrayscaleStage implements Stage {
  readonly name = 'grayscale';

  process(frame: Frame): Frame {
    const [p0, p1, p2] = frame.planes as [Uint8Array, Uint8Array?, Uint8Array?];
    switch (frame.format) {
      case 'i420':
      case 'nv12':
        p1?.fill(128);
        p2?.fill(128);
        return frame;
      case 'rgba':
      case 'rgb24': {
        const bpp = frame.format === 'rgba' ? 4 : 3;
        for (let o = 0; o < p0.length; o += bpp) {
          const y = ((p0[o] as number) * 77 + (p0[o + 1] as number) * 150 + (p0[o + 2] as number) * 29) >> 8;
          p0[o] = y;
          p0[o + 1] = y;
          p0[o + 2] = y;
        }
        return frame;
      }
    }
  }
}

/** `grayscale`: colour removed. */
export const grayscaleEffect: EffectDefinition = {
  name: 'grayscale',
  summary: 'removes colour (i420: chroma set to neutral, almost free)',
  costMs: 0.1,
  create: () => new GrayscaleStage(),
};
