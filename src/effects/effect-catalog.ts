import { FramewiseError } from '../core/errors.ts';
import type { Stage } from '../core/stage.ts';
import { StageChain } from '../core/stage-chain.ts';
import { blurEffect, replaceEffect } from './background-effects.ts';
import { delayEffect } from './delay.ts';
import { type EffectContext, type EffectDefinition, effectUsage } from './effect.ts';
import { grayscaleEffect } from './grayscale.ts';
import { mirrorEffect } from './mirror.ts';
import { faceMeshEffect, facesEffect, objectsEffect, poseEffect } from './overlay-effects.ts';
import { passthroughEffect } from './passthrough.ts';
import { avatarEffect } from './avatar-effect.ts';

/**
 * The effect catalogue, the same on the server and in the page (no Node imports): effects by name. A Map, so a name
 * such as "__proto__" or "constructor" is just an unknown name.
 */
const EFFECTS = new Map<string, EffectDefinition>();

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Add an effect to the registry (the CLI, the server and the probe's local: target all see it). */
export function registerEffect(effect: EffectDefinition): void {
  if (!NAME.test(effect.name)) throw new FramewiseError('invalid-argument', `effect name "${effect.name}" must be lower-case letters, digits and "-"`);
  if (EFFECTS.has(effect.name)) throw new FramewiseError('invalid-argument', `an effect named "${effect.name}" is already registered`);
  if (!(effect.costMs >= 0)) throw new FramewiseError('invalid-argument', `effect "${effect.name}" needs a cost in ms >= 0`);
  EFFECTS.set(effect.name, effect);
}

for (const effect of [
  passthroughEffect,
  grayscaleEffect,
  mirrorEffect,
  blurEffect,
  replaceEffect,
  facesEffect,
  faceMeshEffect,
  poseEffect,
  objectsEffect,
  avatarEffect,
  delayEffect,
])
  registerEffect(effect);

/** The registered effects, in registration order. */
export function listEffects(): EffectDefinition[] {
  return [...EFFECTS.values()];
}

/** The effects as typed, for help texts: "passthrough, blur[:<radius px>], ...". */
export function effectUsages(): string {
  return listEffects().map(effectUsage).join(', ');
}

/** An effect spec split at its first colon. */
export interface EffectSpec {
  name: string;
  arg: string | undefined;
}

/** An effect chain as typed (`blur:12, grayscale`): the effects in order, blanks dropped. */
export function effectList(text: string): string[] {
  return text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/** Most effects one chain may hold (on the CLI, on WHIP and in a job alike). */
export const MAX_CHAIN_EFFECTS = 8;

/**
 * Build an effect chain as typed (`blur,replace:beach`, the same on the CLI, `?effect=` on WHIP and a job's
 * effects): one effect is its own stage, several run in order as one stage. Blank entries are dropped; an empty
 * chain is passthrough.
 */
export function buildEffectChain(text: string, ctx: EffectContext): Stage {
  const specs = effectList(text);
  if (specs.length > MAX_CHAIN_EFFECTS)
    throw new FramewiseError('invalid-argument', `a chain takes at most ${MAX_CHAIN_EFFECTS} effects (got ${specs.length})`);
  const stages = (specs.length === 0 ? ['passthrough'] : specs).map((spec) => buildEffect(spec, ctx));
  return stages.length === 1 ? (stages[0] as Stage) : new StageChain(stages);
}

/** Split "name" or "name:arg". An empty argument ("blur:") counts as none. */
export function parseEffectSpec(spec: string): EffectSpec {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const arg = colon < 0 ? undefined : spec.slice(colon + 1);
  return { name, arg: arg === '' ? undefined : arg };
}

/** The definition of the effect `spec` names, or undefined. */
export function effectDefinition(spec: string): EffectDefinition | undefined {
  return EFFECTS.get(parseEffectSpec(spec).name);
}

/**
 * Build the stage `spec` ("name" or "name:arg") names in `ctx` (where its pictures, looks and models come from); one
 * clear error for unknown names and misplaced arguments.
 */
export function buildEffect(spec: string, ctx: EffectContext): Stage {
  const { name, arg } = parseEffectSpec(spec);
  const effect = EFFECTS.get(name);
  if (!effect) throw new FramewiseError('invalid-argument', `unknown effect "${printable(name)}": use one of ${effectUsages()}`);
  if (arg !== undefined && !effect.argument) throw new FramewiseError('invalid-argument', `effect "${name}" takes no argument (got "${printable(arg)}")`);
  if (arg === undefined && effect.argument?.required)
    throw new FramewiseError('invalid-argument', `effect "${name}" needs an argument: ${effectUsage(effect)} (${effect.argument.help})`);
  if (arg !== undefined && arg.length > 1024) throw new FramewiseError('invalid-argument', `the argument of effect "${name}" is too long`);
  return effect.create(arg, ctx);
}

/** Text from the outside, cut and with control characters shown, fit for an error message. */
function printable(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
