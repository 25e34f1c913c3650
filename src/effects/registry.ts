import { localLooks } from '../avatar/local-looks.ts';
import type { Stage } from '../core/stage.ts';
import { buildEffectChain } from './effect-catalog.ts';
import type { EffectContext } from './effect.ts';
import { localPictures } from './local-pictures.ts';

export {
  effectDefinition,
  effectList,
  MAX_CHAIN_EFFECTS,
  type EffectSpec,
  effectUsages,
  listEffects,
  parseEffectSpec,
  registerEffect,
} from './effect-catalog.ts';

/** Effects as typed on the command line: local files may be used as pictures and looks. */
export const CLI_EFFECT_CONTEXT: EffectContext = { pictures: localPictures, looks: localLooks };

/**
 * Build the stage `spec` names: one effect ("name" or "name:arg") or a chain of them joined by commas
 * ("blur,replace:beach"), by default as typed on the command line (local files allowed).
 */
export function createEffect(spec: string, ctx: EffectContext = CLI_EFFECT_CONTEXT): Stage {
  return buildEffectChain(spec, ctx);
}
