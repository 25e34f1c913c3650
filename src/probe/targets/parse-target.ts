import { FramewiseError } from '../../core/errors.ts';
import { createEffect } from '../../effects/registry.ts';
import { ExecTarget } from './exec-target.ts';
import { LocalTarget } from './local-target.ts';
import { WebSocketTarget } from './websocket-target.ts';
import { WhipTarget } from './whip-target.ts';
import type { StreamTarget } from './target.ts';

/** Target forms the probe understands, for help texts. */
export const TARGET_FORMS = [
  'local:<effect>[,<effect>...]',
  'exec:<command reading y4m on stdin, writing y4m on stdout>',
  'ws://host/path (one JPEG frame per message; ws+raw:// for raw I420)',
  'whip:http://host/whip[,whep:http://host/whep/{session}] (WebRTC; output on the same connection, or via WHEP)',
];

/** Credentials some targets take from the command line. */
export interface TargetOptions {
  token?: string;
}

/** Build the target named on the command line. */
export function parseTarget(spec: string, options: TargetOptions = {}): StreamTarget {
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
  if (spec.startsWith('whip:')) {
    const [whip, whep, ...rest] = spec.slice('whip:'.length).split(',');
    if (!whip || !/^https?:\/\//.test(whip) || rest.length > 0 || (whep !== undefined && !/^whep:https?:\/\//.test(whep))) {
      throw new FramewiseError(
        'invalid-argument',
        `"${spec}" is not a WHIP target: use whip:http://host/whip or whip:http://host/whip,whep:http://host/whep/{session}`,
      );
    }
    return new WhipTarget(whip, { ...(whep ? { whepUrl: whep.slice('whep:'.length) } : {}), ...options });
  }
  throw new FramewiseError('invalid-argument', `cannot probe "${spec}": use ${TARGET_FORMS.join(' or ')}`);
}
