import type { Frame } from './frame.ts';
import type { Stage, StageContext } from './stage.ts';

/**
 * Test harness: open `stage`, push `frames` through it one at a time, close it, and return what came out
 * (null where the stage consumed a frame). Every stage's test can be three lines.
 */
export async function runStage(stage: Stage, frames: readonly Frame[], mode: StageContext['mode'] = 'render'): Promise<(Frame | null)[]> {
  const ctx: StageContext = { mode, signal: new AbortController().signal };
  await stage.open?.(ctx);
  const out: (Frame | null)[] = [];
  try {
    for (const frame of frames) out.push(await stage.process(frame, ctx));
  } finally {
    await stage.close?.();
  }
  return out;
}
