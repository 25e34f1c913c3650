import { FramewiseError } from '../../core/errors.ts';
import { execTargetDefinition } from './exec-target.ts';
import { localTargetDefinition } from './local-target.ts';
import type { StreamTarget } from './target.ts';
import type { TargetDefinition, TargetOptions } from './target-definition.ts';
import { rawWebSocketTargetDefinition, webSocketTargetDefinition } from './websocket-target.ts';
import { whipTargetDefinition } from './whip-target.ts';

/** Target kinds by name, tried in registration order. */
const TARGETS = new Map<string, TargetDefinition>();

/** Add a kind of target (the probe's CLI and `createTarget` see it). */
export function registerTarget(target: TargetDefinition): void {
  if (!/^[a-z][a-z0-9+-]{0,19}$/.test(target.kind))
    throw new FramewiseError('invalid-argument', `target kind "${target.kind}" must be lower-case letters, digits, "+" and "-"`);
  if (TARGETS.has(target.kind)) throw new FramewiseError('invalid-argument', `a target kind "${target.kind}" is already registered`);
  TARGETS.set(target.kind, target);
}

for (const target of [localTargetDefinition, execTargetDefinition, webSocketTargetDefinition, rawWebSocketTargetDefinition, whipTargetDefinition])
  registerTarget(target);

/** The registered target kinds. */
export function listTargets(): TargetDefinition[] {
  return [...TARGETS.values()];
}

/** Build the target `spec` names; an unknown form gets the list of forms. */
export function createTarget(spec: string, options: TargetOptions = {}): StreamTarget {
  const target = listTargets().find((t) => t.matches(spec));
  if (!target)
    throw new FramewiseError(
      'invalid-argument',
      `cannot probe "${spec.slice(0, 200)}": use ${listTargets()
        .map((t) => t.usage)
        .join(' or ')}`,
    );
  return target.create(spec, options);
}
