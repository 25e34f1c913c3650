import type { Look } from './look.ts';

/** A fox: orange head, pointed ears, white muzzle cheeks. */
const fox: Look = {
  name: 'fox',
  background: '#1e3a5f',
  head: { width: 2.6, height: 2.7, y: 0.35, fill: '#e8742a', stroke: '#7a3510', strokeWidth: 0.05 },
  ears: { x: 0.95, y: -1.05, width: 0.7, height: 1.1, angle: 18, fill: '#e8742a', inner: '#3b1d0c', depth: -0.2 },
  eyes: { x: 0.48, y: 0, width: 0.42, height: 0.34, white: '#ffffff', iris: '#2b1708', irisSize: 0.55, lid: '#e8742a', depth: 0.35 },
  brows: { x: 0.5, y: -0.42, length: 0.42, thickness: 0.08, color: '#5a260a', depth: 0.4 },
  nose: { y: 0.55, width: 0.26, height: 0.18, fill: '#241208', depth: 0.95 },
  mouth: { y: 0.95, width: 0.62, maxOpen: 0.42, lip: '#3b1d0c', inside: '#4a0d0d', tongue: '#d0463c', lipWidth: 0.05, depth: 0.6 },
  cheeks: { x: 0.62, y: 0.72, radius: 0.42, fill: '#fbeee0', depth: 0.45 },
};

/** A robot: grey square-ish head, antenna-less, glowing eyes. */
const robot: Look = {
  name: 'robot',
  background: '#111827',
  head: { width: 2.4, height: 2.5, y: 0.3, fill: '#9ca3af', stroke: '#374151', strokeWidth: 0.08 },
  ears: { x: 1.25, y: 0.25, width: 0.28, height: 0.7, angle: 0, fill: '#6b7280', inner: '#f59e0b', depth: -0.1 },
  hair: { y: -0.85, width: 1.9, height: 0.3, fill: '#4b5563', depth: 0.1 },
  eyes: { x: 0.5, y: 0, width: 0.5, height: 0.36, white: '#e0f2fe', iris: '#0ea5e9', irisSize: 0.6, lid: '#6b7280', depth: 0.25 },
  brows: { x: 0.5, y: -0.4, length: 0.5, thickness: 0.1, color: '#374151', depth: 0.3 },
  nose: { y: 0.5, width: 0.16, height: 0.22, fill: '#6b7280', depth: 0.5 },
  mouth: { y: 0.95, width: 0.8, maxOpen: 0.38, lip: '#1f2937', inside: '#0f172a', tongue: '#38bdf8', lipWidth: 0.07, depth: 0.3 },
};

/** The looks that ship with Framewise, by name. */
export const BUILT_IN_LOOKS: ReadonlyMap<string, Look> = new Map([
  ['fox', fox],
  ['robot', robot],
]);
