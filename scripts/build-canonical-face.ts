// Builds src/avatar/canonical-face.ts: the frontal face the avatar solver fits to every face it sees.
//
// The face mesh model's own output on people looking at the camera with a neutral face (../shared/testdata), put on
// one shape by generalised Procrustes analysis, averaged, turned to the mean camera-facing orientation, and made
// left-right symmetric (each point averaged with its mirror partner), so a frontal face reads yaw 0 and roll 0, and
// a mirrored picture reads exactly the opposite. Scaled so the outer eye corners are 1 apart, centred between them.
// Run: node --import tsx scripts/build-canonical-face.ts
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Frame } from '../src/core/frame.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { FaceLandmarker } from '../src/models/face-landmarker.ts';
import { fitSimilarity, type Vec3 } from '../src/avatar/rigid-fit.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testdata = (p: string): string => join(root, '..', 'shared', 'testdata', p);

/** Pictures of people facing the camera: a still, and frames of videos (times in s). */
const SOURCES: [string, number[]][] = [
  ['images/sergey.png', [0]],
  ['images/portrait.jpg', [0]],
  ['videos/facing_camera_720p.mp4', [0.2, 0.6, 1.0]],
  ['videos/desk_person_again.mkv', [0.1]],
  ['videos/desk_person_school.mkv', [0.1]],
];

async function frameAt(path: string, timeS: number): Promise<Frame> {
  const source = new MediaSource({ input: path, format: 'rgba', ...(timeS > 0 ? { startAtUs: Math.round(timeS * 1e6) } : {}) });
  await source.open();
  try {
    const frame = await source.read();
    if (!frame) throw new Error(`no picture at ${timeS} s in ${path}`);
    const copy = Frame.alloc({ width: frame.width, height: frame.height, format: 'rgba' });
    (copy.planes[0] as Uint8Array).set(frame.planes[0] as Uint8Array);
    frame.release();
    return copy;
  } finally {
    await source.close();
  }
}

const apply = (fit: ReturnType<typeof fitSimilarity>, p: Vec3): Vec3 => {
  const r = fit.rotation;
  return {
    x: fit.scale * ((r[0] as number) * p.x + (r[1] as number) * p.y + (r[2] as number) * p.z) + fit.translation.x,
    y: fit.scale * ((r[3] as number) * p.x + (r[4] as number) * p.y + (r[5] as number) * p.z) + fit.translation.y,
    z: fit.scale * ((r[6] as number) * p.x + (r[7] as number) * p.y + (r[8] as number) * p.z) + fit.translation.z,
  };
};
const mean = (shapes: Vec3[][]): Vec3[] =>
  (shapes[0] as Vec3[]).map((_, i) => {
    const s = { x: 0, y: 0, z: 0 };
    for (const shape of shapes) {
      s.x += (shape[i] as Vec3).x;
      s.y += (shape[i] as Vec3).y;
      s.z += (shape[i] as Vec3).z;
    }
    return { x: s.x / shapes.length, y: s.y / shapes.length, z: s.z / shapes.length };
  });

const faces: Vec3[][] = [];
const landmarker = await FaceLandmarker.load({ track: false });
for (const [path, times] of SOURCES) {
  for (const t of times) {
    const frame = await frameAt(testdata(path), t);
    const found = await landmarker.detect(frame);
    frame.release();
    if (!found) throw new Error(`no face in ${path} at ${t} s`);
    faces.push(found.landmarks.map((p) => ({ x: p.x, y: p.y, z: p.z })));
  }
}
await landmarker.close();

// Generalised Procrustes: every face onto the running mean, a few rounds.
let shape = faces[0] as Vec3[];
let aligned = faces;
for (let round = 0; round < 5; round++) {
  aligned = faces.map((f) => {
    const fit = fitSimilarity(f, shape);
    return f.map((p) => apply(fit, p));
  });
  shape = mean(aligned);
}
// Turn the mean to the orientation the faces had on average towards the camera: fit it to each face (rotation only
// matters), then average those rotations by fitting the mean to the mean of its fitted copies.
const fitted = faces.map((f) => {
  const fit = fitSimilarity(shape, f);
  const unit = { ...fit, scale: 1, translation: { x: 0, y: 0, z: 0 } };
  return shape.map((p) => apply(unit, p));
});
const facing = mean(fitted);
shape = shape.map((p) => apply({ ...fitSimilarity(shape, facing), scale: 1, translation: { x: 0, y: 0, z: 0 } }, p));

// Symmetry: the mirror partner of each point is the nearest point of the mirrored shape; average each with its
// partner's mirror image, about the plane through the eye corners' midpoint, and repeat once.
for (let round = 0; round < 2; round++) {
  const mid = ((shape[33] as Vec3).x + (shape[263] as Vec3).x) / 2;
  const mirrored = shape.map((p) => ({ x: 2 * mid - p.x, y: p.y, z: p.z }));
  const partner = shape.map((p) => {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    mirrored.forEach((q, j) => {
      const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2 + (q.z - p.z) ** 2;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    });
    return best;
  });
  // The mirror image carries the opposite yaw and roll: averaging the two (not aligned first, which would copy the
  // mean's own yaw onto its mirror) cancels them.
  shape = shape.map((p, i) => {
    const q = mirrored[partner[i] as number] as Vec3;
    return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, z: (p.z + q.z) / 2 };
  });
}
// Units: outer eye corners 1 apart, origin between them.
const a = shape[33] as Vec3;
const b = shape[263] as Vec3;
const unit = Math.hypot(b.x - a.x, b.y - a.y, b.z - a.z);
const origin = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, z: (a.z + b.z) / 2 };
const points = shape.map((p) => [(p.x - origin.x) / unit, (p.y - origin.y) / unit, (p.z - origin.z) / unit].map((v) => Math.round(v * 10000) / 10000));
const text = `// Generated by scripts/build-canonical-face.ts from ${faces.length} faces looking at the camera in ../shared/testdata: do not edit.
/** The canonical frontal face: 468 face-mesh points (x right, y down, z away), outer eye corners 1 apart, centred between them. */
export const CANONICAL_FACE: readonly (readonly [number, number, number])[] = ${JSON.stringify(points)};
`;
writeFileSync(join(root, 'src', 'avatar', 'canonical-face.ts'), text);
process.stdout.write(`canonical face from ${faces.length} faces written\n`);
