/** A 3-D point. */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

/** A similarity transform: target = scale x R x source + t (R a 3x3 rotation, row-major). */
export interface Similarity {
  scale: number;
  rotation: number[];
  translation: Vec3;
  /** Root mean square distance left after the fit, in target units. */
  rmsError: number;
}

/** Eigen decomposition of a symmetric 4x4 matrix by Jacobi rotations: the eigenvector of the largest eigenvalue. */
function largestEigenvector4(m: number[][]): number[] {
  const a = m.map((row) => [...row]);
  const v = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += (a[p]?.[q] ?? 0) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[p]?.[q] ?? 0;
        if (Math.abs(apq) < 1e-30) continue;
        const app = a[p]?.[p] ?? 0;
        const aqq = a[q]?.[q] ?? 0;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k]?.[p] ?? 0;
          const akq = a[k]?.[q] ?? 0;
          (a[k] as number[])[p] = c * akp - s * akq;
          (a[k] as number[])[q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p]?.[k] ?? 0;
          const aqk = a[q]?.[k] ?? 0;
          (a[p] as number[])[k] = c * apk - s * aqk;
          (a[q] as number[])[k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k]?.[p] ?? 0;
          const vkq = v[k]?.[q] ?? 0;
          (v[k] as number[])[p] = c * vkp - s * vkq;
          (v[k] as number[])[q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < 4; i++) if ((a[i]?.[i] ?? 0) > (a[best]?.[best] ?? 0)) best = i;
  return [v[0]?.[best] ?? 0, v[1]?.[best] ?? 0, v[2]?.[best] ?? 0, v[3]?.[best] ?? 0];
}

function centroid(points: readonly Vec3[]): Vec3 {
  const c = { x: 0, y: 0, z: 0 };
  for (const p of points) {
    c.x += p.x;
    c.y += p.y;
    c.z += p.z;
  }
  const n = Math.max(1, points.length);
  return { x: c.x / n, y: c.y / n, z: c.z / n };
}

/**
 * The similarity transform that best maps `source` onto `target` (corresponding points, least squares): Horn's
 * closed-form solution with unit quaternions, which can never return a reflection. Used to fit a canonical face to
 * the landmarks seen, so the head's rotation comes from every stable point at once, not from two.
 */
export function fitSimilarity(source: readonly Vec3[], target: readonly Vec3[]): Similarity {
  const cs = centroid(source);
  const ct = centroid(target);
  let sxx = 0;
  let sxy = 0;
  let sxz = 0;
  let syx = 0;
  let syy = 0;
  let syz = 0;
  let szx = 0;
  let szy = 0;
  let szz = 0;
  let sourceSq = 0;
  source.forEach((p, i) => {
    const q = target[i] as Vec3;
    const a = { x: p.x - cs.x, y: p.y - cs.y, z: p.z - cs.z };
    const b = { x: q.x - ct.x, y: q.y - ct.y, z: q.z - ct.z };
    sxx += a.x * b.x;
    sxy += a.x * b.y;
    sxz += a.x * b.z;
    syx += a.y * b.x;
    syy += a.y * b.y;
    syz += a.y * b.z;
    szx += a.z * b.x;
    szy += a.z * b.y;
    szz += a.z * b.z;
    sourceSq += a.x * a.x + a.y * a.y + a.z * a.z;
  });
  const n = [
    [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
    [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
    [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
    [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
  ];
  const [w, x, y, z] = largestEigenvector4(n) as [number, number, number, number];
  const rotation = [
    w * w + x * x - y * y - z * z,
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    w * w - x * x + y * y - z * z,
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    w * w - x * x - y * y + z * z,
  ];
  const rotate = (p: Vec3): Vec3 => ({
    x: (rotation[0] as number) * p.x + (rotation[1] as number) * p.y + (rotation[2] as number) * p.z,
    y: (rotation[3] as number) * p.x + (rotation[4] as number) * p.y + (rotation[5] as number) * p.z,
    z: (rotation[6] as number) * p.x + (rotation[7] as number) * p.y + (rotation[8] as number) * p.z,
  });
  let dot = 0;
  source.forEach((p, i) => {
    const q = target[i] as Vec3;
    const r = rotate({ x: p.x - cs.x, y: p.y - cs.y, z: p.z - cs.z });
    dot += r.x * (q.x - ct.x) + r.y * (q.y - ct.y) + r.z * (q.z - ct.z);
  });
  const scale = sourceSq > 0 ? dot / sourceSq : 1;
  const rc = rotate(cs);
  const translation = { x: ct.x - scale * rc.x, y: ct.y - scale * rc.y, z: ct.z - scale * rc.z };
  let err = 0;
  source.forEach((p, i) => {
    const q = target[i] as Vec3;
    const r = rotate(p);
    err += (scale * r.x + translation.x - q.x) ** 2 + (scale * r.y + translation.y - q.y) ** 2 + (scale * r.z + translation.z - q.z) ** 2;
  });
  return { scale, rotation, translation, rmsError: Math.sqrt(err / Math.max(1, source.length)) };
}

/** Map a target-space point back into source space (the inverse of the similarity). */
export function inverseMap(fit: Similarity, p: Vec3): Vec3 {
  const r = fit.rotation;
  const d = { x: (p.x - fit.translation.x) / fit.scale, y: (p.y - fit.translation.y) / fit.scale, z: (p.z - fit.translation.z) / fit.scale };
  // R is orthonormal: its inverse is its transpose.
  return {
    x: (r[0] as number) * d.x + (r[3] as number) * d.y + (r[6] as number) * d.z,
    y: (r[1] as number) * d.x + (r[4] as number) * d.y + (r[7] as number) * d.z,
    z: (r[2] as number) * d.x + (r[5] as number) * d.y + (r[8] as number) * d.z,
  };
}
