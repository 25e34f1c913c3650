import type { Stage } from '../core/stage.ts';
import type { PictureSource } from './pictures.ts';
import type { LookSource } from '../avatar/look-source.ts';
import type { EffectRuntime } from './effect-runtime.ts';

/** What an effect may use when it is built: where pictures may come from, and model settings. */
export interface EffectContext {
  /**
   * Resolves a picture argument (`replace:<picture>`). The CLI resolves local files; the server only its operator's
   * backgrounds and the client's own uploads, so an argument from the network never names a file on the server.
   */
  readonly pictures: PictureSource;
  /** Model cache folder (default: the zoo's). */
  readonly modelsDir?: string;
  /** Where `avatar:<look>` finds looks (default: the built-in ones only; the CLI adds local JSON files). */
  readonly looks?: LookSource;
  /** Where models, resizers and canvases come from (default: the server's; framewise/browser passes the page's). */
  readonly runtime?: EffectRuntime;
}

/** What a model-backed stage passes on to its models: the context's model folder and runtime. */
export interface StageModelOptions {
  modelsDir?: string;
  threads?: number;
  runtime?: EffectRuntime;
}

/** The model options of `ctx`, without absent keys. */
export function stageModelOptions(ctx: EffectContext | StageModelOptions): StageModelOptions {
  return {
    ...(ctx.modelsDir ? { modelsDir: ctx.modelsDir } : {}),
    ...('threads' in ctx && ctx.threads ? { threads: ctx.threads } : {}),
    ...(ctx.runtime ? { runtime: ctx.runtime } : {}),
  };
}

/** The argument an effect takes after its name and a colon (`blur:16`). */
export interface EffectArgument {
  /** What it is, for help texts: "radius px", "ms", "colour or picture". */
  readonly name: string;
  /** True when the effect cannot be built without it. */
  readonly required: boolean;
  /** One sentence: the values it accepts and the default. */
  readonly help: string;
}

/**
 * An effect that describes itself: the CLI's help, the server's /effects and the demo page's picker are all made
 * from these, and `create` builds the stage. A new effect is one file and one `registerEffect` call.
 */
export interface EffectDefinition {
  /** Lower-case name as typed, letters, digits and "-". */
  readonly name: string;
  /** The argument, when the effect takes one; an effect without one refuses `name:anything`. */
  readonly argument?: EffectArgument;
  readonly summary: string;
  /** Rough CPU cost per 640x480 frame in ms, used to size the server's default session limit. */
  readonly costMs: number;
  /**
   * Frames of history its output depends on (temporal smoothing, tracking), default 0. A render job that starts a
   * segment mid-file first runs this many frames through it, unwritten. Infinity: its state spans the whole run
   * (a counter), so jobs with it render in one piece.
   */
  readonly historyFrames?: number;
  /** Build the stage; `arg` is the text after the first colon (never empty when required). */
  create(arg: string | undefined, ctx: EffectContext): Stage;
}

/** The effect as typed in help texts: `name`, `name:<arg>` or `name[:<arg>]`. */
export function effectUsage(effect: EffectDefinition): string {
  const arg = effect.argument;
  if (!arg) return effect.name;
  return arg.required ? `${effect.name}:<${arg.name}>` : `${effect.name}[:<${arg.name}>]`;
}
