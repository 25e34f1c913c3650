import { FramewiseError } from '../../core/errors.ts';
import { createEffect } from '../../effects/registry.ts';
import { ExecTarget } from './exec-target.ts';
import { LocalTarget } from './local-target.ts';
import { WebSocketTarget } from './websocket-target.ts';
import type { StreamTarget } from './target.ts';

/** Target forms the probe understands, for help texts. */
export const TARGET_FORMS = [
  'local:<effect>[,<effect>...]',
  'exec:<command reading y4m on stdin, writing y4m on stdout>',
  'ws://host/path (one JPEG frame per message; ws+raw:// for raw I420)',
];

/** Build the target named on the command line. */
export function parseTarget(spec: string): StreamTarget {
  if (spec.startsWith('local:')) {
    const effects = spec
      .slice('local:'.length)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (effects.length === 0) throw new FramewiseError('invalid-argument', 'local: needs an effect, e.g. local:passthrough or local:delay:300');
    return new LocalTarget(effects.map((e) => createEffect(e)));
  }
  if (spec.startsWith('exec:')) return new ExecTarget(spec.slice('exec:'.length));
  if (/^wss?:\/\//.test(spec)) return new WebSocketTarget(spec, 'jpeg');
  if (/^wss?\+raw:\/\//.test(spec)) return new WebSocketTarget(spec.replace('+raw', ''), 'raw');
  throw new FramewiseError('invalid-argument', `cannot probe "${spec}": use ${TARGET_FORMS.join(' or ')}`);
}
