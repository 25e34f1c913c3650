import type { AvatarParams } from './avatar-params.ts';
import type { Look } from './look.ts';

/**
 * The part of the Canvas 2D API the character is drawn with: the browser's CanvasRenderingContext2D and Skia's
 * (@napi-rs/canvas) both have it, so the page and the server draw the same character from the same parameters.
 */
export interface Canvas2D {
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  scale(x: number, y: number): void;
  beginPath(): void;
  closePath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  ellipse(x: number, y: number, radiusX: number, radiusY: number, rotation: number, startAngle: number, endAngle: number): void;
  fill(): void;
  stroke(): void;
  clip(): void;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  lineCap: unknown;
  lineJoin: unknown;
  fillRect(x: number, y: number, width: number, height: number): void;
}

const TAU = Math.PI * 2;
const RAD = Math.PI / 180;

/**
 * Draw `look` driven by `params`, centred at (cx, cy) with `unitPx` pixels per eye span. The head turns (yaw, pitch)
 * by moving each feature with its depth (parallax) and narrowing what faces away, tilts with roll; eyes close, the
 * mouth opens, widens and smiles, brows rise and fall. Vector shapes, anti-aliased by the canvas.
 */
export function drawCharacter(g: Canvas2D, look: Look, params: AvatarParams, cx: number, cy: number, unitPx: number): void {
  const yaw = Math.max(-60, Math.min(60, params.yaw)) * RAD;
  const pitch = Math.max(-45, Math.min(45, params.pitch)) * RAD;
  const sinY = Math.sin(yaw);
  const cosY = Math.cos(yaw);
  const sinP = Math.sin(pitch);
  const cosP = Math.cos(pitch);
  // Where a point of the face plane at (x, y), standing `depth` out of it, lands after the turn.
  const at = (x: number, y: number, depth: number): [number, number] => [x * cosY + depth * sinY * 0.8, y * cosP - depth * sinP * 0.8];
  // Widths shrink a little as the head turns away, more for what is on the far side.
  const narrow = (side: number): number => Math.max(0.35, 1 - 0.35 * Math.abs(sinY) - 0.35 * side * sinY);

  g.save();
  g.translate(cx, cy);
  g.rotate(params.roll * RAD);
  g.scale(unitPx, unitPx);
  g.lineCap = 'round';
  g.lineJoin = 'round';

  const h = look.head;
  const [hx, hy] = at(0, h.y, 0);
  const ears = look.ears;
  if (ears) {
    for (const side of [-1, 1]) {
      const [ex, ey] = at(side * ears.x, ears.y, ears.depth);
      g.save();
      g.translate(ex, ey);
      g.rotate(side * ears.angle * RAD);
      ellipse(g, 0, 0, (ears.width / 2) * narrow(side), ears.height / 2, ears.fill, h.stroke, h.strokeWidth);
      ellipse(g, 0, ears.height * 0.08, (ears.width / 4) * narrow(side), ears.height / 3.2, ears.inner);
      g.restore();
    }
  }
  ellipse(g, hx, hy, (h.width / 2) * (0.9 + 0.1 * cosY), (h.height / 2) * (0.95 + 0.05 * cosP), h.fill, h.stroke, h.strokeWidth);
  if (look.hair) {
    const hair = look.hair;
    const [x, y] = at(0, hair.y, hair.depth);
    ellipse(g, x, y, (hair.width / 2) * (0.9 + 0.1 * cosY), hair.height / 2, hair.fill);
  }
  if (look.cheeks) {
    const c = look.cheeks;
    for (const side of [-1, 1]) {
      const [x, y] = at(side * c.x, c.y, c.depth);
      ellipse(g, x, y, c.radius * narrow(side), c.radius, c.fill);
    }
  }

  const e = look.eyes;
  for (const side of [-1, 1]) {
    const open = Math.max(0, Math.min(1, side < 0 ? params.eyeLeft : params.eyeRight));
    const [x, y] = at(side * e.x, e.y, e.depth);
    const w = (e.width / 2) * narrow(side);
    const eh = e.height / 2;
    if (open > 0.12) {
      g.save();
      g.beginPath();
      g.ellipse(x, y, w, eh * open, 0, 0, TAU);
      g.clip();
      ellipse(g, x, y, w, eh, e.white);
      // The iris follows the turn a little: the eyes look where the head points.
      ellipse(g, x + sinY * w * 0.35, y - sinP * eh * 0.35, w * e.irisSize, w * e.irisSize, e.iris);
      g.restore();
      g.beginPath();
      g.ellipse(x, y, w, eh * open, 0, 0, TAU);
      g.strokeStyle = h.stroke;
      g.lineWidth = 0.035;
      g.stroke();
    } else {
      // Closed: the lid line.
      g.beginPath();
      g.moveTo(x - w, y);
      g.quadraticCurveTo(x, y + eh * 0.35, x + w, y);
      g.strokeStyle = h.stroke;
      g.lineWidth = 0.05;
      g.stroke();
    }
  }

  const b = look.brows;
  for (const side of [-1, 1]) {
    const raise = Math.max(-1, Math.min(1, side < 0 ? params.browLeft : params.browRight));
    const [x, y] = at(side * b.x, b.y - raise * 0.14, b.depth);
    const half = (b.length / 2) * narrow(side);
    // Raised brows arch up on the inside; lowered ones slant down toward the nose.
    const tilt = -raise * 0.06;
    g.beginPath();
    g.moveTo(x - half * side, y + tilt);
    g.quadraticCurveTo(x, y - 0.06 - raise * 0.03, x + half * side, y);
    g.strokeStyle = b.color;
    g.lineWidth = b.thickness;
    g.stroke();
  }

  const n = look.nose;
  const [nx, ny] = at(0, n.y, n.depth);
  ellipse(g, nx, ny, (n.width / 2) * (0.8 + 0.2 * cosY), n.height / 2, n.fill);

  const m = look.mouth;
  const [mx, my] = at(0, m.y, m.depth);
  const half = (m.width / 2) * (0.7 + 0.6 * params.mouthWidth) * (0.8 + 0.2 * cosY);
  const lift = params.smile * 0.16;
  const open = params.mouthOpen * m.maxOpen;
  g.strokeStyle = m.lip;
  g.lineWidth = m.lipWidth;
  if (open > 0.02) {
    g.beginPath();
    g.moveTo(mx - half, my - lift);
    g.quadraticCurveTo(mx, my - open * 0.35 + lift * 0.4, mx + half, my - lift);
    g.quadraticCurveTo(mx, my + open + lift * 0.8, mx - half, my - lift);
    g.closePath();
    g.fillStyle = m.inside;
    g.fill();
    if (open > 0.12) {
      g.save();
      g.clip();
      ellipse(g, mx, my + open * 0.7, half * 0.55, open * 0.45, m.tongue);
      g.restore();
    }
    g.beginPath();
    g.moveTo(mx - half, my - lift);
    g.quadraticCurveTo(mx, my - open * 0.35 + lift * 0.4, mx + half, my - lift);
    g.quadraticCurveTo(mx, my + open + lift * 0.8, mx - half, my - lift);
    g.closePath();
    g.stroke();
  } else {
    g.beginPath();
    g.moveTo(mx - half, my - lift);
    g.quadraticCurveTo(mx, my + lift * 1.2, mx + half, my - lift);
    g.stroke();
  }
  g.restore();
}

function ellipse(g: Canvas2D, x: number, y: number, rx: number, ry: number, fill: string, stroke?: string, strokeWidth = 0): void {
  g.beginPath();
  g.ellipse(x, y, Math.max(1e-4, rx), Math.max(1e-4, ry), 0, 0, TAU);
  g.fillStyle = fill;
  g.fill();
  if (stroke && strokeWidth > 0) {
    g.strokeStyle = stroke;
    g.lineWidth = strokeWidth;
    g.stroke();
  }
}

/** The character's extent around its centre, in eye spans (for sizing the canvas it is drawn on). */
export function characterExtent(look: Look): { left: number; top: number; right: number; bottom: number } {
  const h = look.head;
  const ears = look.ears;
  const halfW = Math.max(h.width / 2, ears ? ears.x + ears.width : 0) + 0.3;
  const top = Math.min(h.y - h.height / 2, ears ? ears.y - ears.height / 2 - 0.2 : 0) - 0.3;
  return { left: -halfW, top, right: halfW, bottom: h.y + h.height / 2 + 0.3 };
}

/**
 * The whole picture as the character's scene: the look's background, the character centred and large, moved a little
 * with the head across the camera picture. The server's `avatar:<look>+scene` and the page drawing from the data
 * channel both use it, so they show the same thing.
 */
export function drawScene(g: Canvas2D, look: Look, params: AvatarParams, width: number, height: number): void {
  g.fillStyle = look.background;
  g.fillRect(0, 0, width, height);
  const unit = height / 4.4;
  const cx = width / 2 + (params.face ? (params.x - 0.5) * width * 0.25 : 0);
  const cy = height * 0.47 + (params.face ? (params.y - 0.4) * height * 0.15 : 0);
  drawCharacter(g, look, params, cx, cy, unit);
}
