import { FramewiseError } from '../core/errors.ts';

/**
 * How a character looks: plain data (JSON), so anyone can add one without code. Lengths are in eye spans (the
 * distance between the outer eye corners = 1), origin between the eyes, x to the right, y down. Paired features
 * (ears, eyes, brows, cheeks) give the position of the right one; the left one is its mirror. `depth` is how far a
 * feature stands out of the face plane (parallax when the head turns: deeper features move more).
 */
export interface Look {
  name: string;
  /** The picture behind the character in `scene` mode. */
  background: string;
  head: { width: number; height: number; y: number; fill: string; stroke: string; strokeWidth: number };
  ears?: { x: number; y: number; width: number; height: number; angle: number; fill: string; inner: string; depth: number };
  hair?: { y: number; width: number; height: number; fill: string; depth: number };
  eyes: { x: number; y: number; width: number; height: number; white: string; iris: string; irisSize: number; lid: string; depth: number };
  brows: { x: number; y: number; length: number; thickness: number; color: string; depth: number };
  nose: { y: number; width: number; height: number; fill: string; depth: number };
  mouth: { y: number; width: number; maxOpen: number; lip: string; inside: string; tongue: string; lipWidth: number; depth: number };
  cheeks?: { x: number; y: number; radius: number; fill: string; depth: number };
}

/** CSS colours a look may use: #rgb, #rrggbb(aa), rgb()/rgba() and plain names. */
const COLOUR = /^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|rgba?\(\s*[\d.]+\s*,\s*[\d.]+\s*,\s*[\d.]+\s*(,\s*[\d.]+\s*)?\)|[a-zA-Z]{3,20})$/;

type Field = ['number', number, number] | ['colour'];

const SCHEMA: Record<string, Record<string, Field>> = {
  head: { width: ['number', 0.5, 6], height: ['number', 0.5, 6], y: ['number', -3, 3], fill: ['colour'], stroke: ['colour'], strokeWidth: ['number', 0, 0.5] },
  ears: {
    x: ['number', 0, 3],
    y: ['number', -4, 4],
    width: ['number', 0.05, 3],
    height: ['number', 0.05, 3],
    angle: ['number', -180, 180],
    fill: ['colour'],
    inner: ['colour'],
    depth: ['number', -2, 2],
  },
  hair: { y: ['number', -4, 4], width: ['number', 0.1, 6], height: ['number', 0.05, 4], fill: ['colour'], depth: ['number', -2, 2] },
  eyes: {
    x: ['number', 0.05, 2],
    y: ['number', -2, 2],
    width: ['number', 0.05, 2],
    height: ['number', 0.05, 2],
    white: ['colour'],
    iris: ['colour'],
    irisSize: ['number', 0.05, 1],
    lid: ['colour'],
    depth: ['number', -2, 2],
  },
  brows: {
    x: ['number', 0.05, 2],
    y: ['number', -3, 2],
    length: ['number', 0.05, 2],
    thickness: ['number', 0.01, 0.5],
    color: ['colour'],
    depth: ['number', -2, 2],
  },
  nose: { y: ['number', -2, 3], width: ['number', 0.02, 2], height: ['number', 0.02, 2], fill: ['colour'], depth: ['number', -2, 2] },
  mouth: {
    y: ['number', -2, 4],
    width: ['number', 0.05, 3],
    maxOpen: ['number', 0, 2],
    lip: ['colour'],
    inside: ['colour'],
    tongue: ['colour'],
    lipWidth: ['number', 0.005, 0.3],
    depth: ['number', -2, 2],
  },
  cheeks: { x: ['number', 0, 3], y: ['number', -2, 3], radius: ['number', 0.01, 2], fill: ['colour'], depth: ['number', -2, 2] },
};
const REQUIRED = ['head', 'eyes', 'brows', 'nose', 'mouth'];

/**
 * Check a look read from JSON (a user's file, or the network) and return it typed; one clear error naming the first
 * thing wrong and what would be right. Unknown parts and fields are refused too, so a typo does not pass silently.
 */
export function parseLook(value: unknown, source = 'the look'): Look {
  const fail = (what: string): never => {
    throw new FramewiseError('invalid-argument', `${source}: ${what}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('must be a JSON object');
  const look = value as Record<string, unknown>;
  if (typeof look.name !== 'string' || !/^[a-z0-9-]{1,40}$/.test(look.name)) fail('"name" must be 1-40 lower-case letters, digits or "-"');
  if (typeof look.background !== 'string' || !COLOUR.test(look.background)) fail('"background" must be a colour (#rrggbb, rgb(), a name)');
  for (const key of Object.keys(look))
    if (key !== 'name' && key !== 'background' && !(key in SCHEMA)) fail(`unknown part "${key.slice(0, 30)}": a look has ${Object.keys(SCHEMA).join(', ')}`);
  for (const part of REQUIRED) if (look[part] === undefined) fail(`"${part}" is missing`);
  for (const [part, fields] of Object.entries(SCHEMA)) {
    const given = look[part];
    if (given === undefined) continue;
    if (given === null || typeof given !== 'object' || Array.isArray(given)) fail(`"${part}" must be an object`);
    const obj = given as Record<string, unknown>;
    for (const key of Object.keys(obj))
      if (!(key in fields)) fail(`unknown field "${part}.${key.slice(0, 30)}": ${part} has ${Object.keys(fields).join(', ')}`);
    for (const [key, rule] of Object.entries(fields)) {
      const v = obj[key];
      if (rule[0] === 'colour') {
        if (typeof v !== 'string' || !COLOUR.test(v))
          fail(`"${part}.${key}" must be a colour (#rrggbb, rgb(), a name), got ${JSON.stringify(v)?.slice(0, 40)}`);
      } else if (typeof v !== 'number' || !Number.isFinite(v) || v < rule[1] || v > rule[2]) {
        fail(`"${part}.${key}" must be a number from ${rule[1]} to ${rule[2]}, got ${JSON.stringify(v)?.slice(0, 40)}`);
      }
    }
  }
  return look as unknown as Look;
}
