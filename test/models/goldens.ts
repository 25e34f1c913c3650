import { readFileSync } from 'node:fs';
import { testdata } from '../helpers.ts';

/** The (x, y) pairs of a MediaPipe protobuf-text golden, in file order (keypoints or landmarks). */
export function pbtxtPoints(file: string): [number, number][] {
  const text = readFileSync(testdata(`golden/${file}`), 'utf8');
  return [...text.matchAll(/\{\s*x:\s*([-\d.e]+)\s*y:\s*([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** A numeric field of a protobuf-text golden (the first occurrence), e.g. "xmin". */
export function pbtxtNumber(file: string, field: string): number {
  const text = readFileSync(testdata(`golden/${file}`), 'utf8');
  const m = new RegExp(`\\b${field}:\\s*([-\\d.e]+)`).exec(text);
  if (!m) throw new Error(`${file} has no ${field}`);
  return Number(m[1]);
}

/** A JSON golden. */
export function jsonGolden<T>(file: string): T {
  return JSON.parse(readFileSync(testdata(`golden/${file}`), 'utf8')) as T;
}
