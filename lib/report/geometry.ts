/** Rectangles and polylines: overlap tests and a tiny router that keeps arrows off boxes. */
import type { Point, Rect } from './boxes';

export function right(r: Rect): number {
  return r.x + r.w;
}

export function bottom(r: Rect): number {
  return r.y + r.h;
}

export function center(r: Rect): Point {
  return { x: r.x + r.w / 2, y: r.y + r.h / 2 };
}

export function grow(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by };
}

export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < right(b) && b.x < right(a) && a.y < bottom(b) && b.y < bottom(a);
}

/** The part of segment p-q inside r, as parameters [t0, t1] of p + t(q - p), or null. */
function clipParams(p: Point, q: Point, r: Rect): [number, number] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const edges: Array<[number, number]> = [
    [-dx, p.x - r.x],
    [dx, right(r) - p.x],
    [-dy, p.y - r.y],
    [dy, bottom(r) - p.y],
  ];
  for (const [pe, qe] of edges) {
    if (pe === 0) {
      if (qe < 0) return null;
      continue;
    }
    const t = qe / pe;
    if (pe < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return null;
  }
  return [t0, t1];
}

export function segmentHitsRect(p: Point, q: Point, r: Rect): boolean {
  const c = clipParams(p, q, r);
  return c !== null && c[1] - c[0] > 1e-9;
}

/** Where the segment from inside r (p) towards q leaves r. */
export function exitPoint(p: Point, q: Point, r: Rect): Point {
  const c = clipParams(p, q, r);
  const t = c ? c[1] : 0;
  return { x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y) };
}

export function polylineHitsRect(points: Point[], r: Rect): boolean {
  for (let i = 1; i < points.length; i++) if (segmentHitsRect(points[i - 1], points[i], r)) return true;
  return false;
}

export function circleRect(c: Point, radius: number): Rect {
  return { x: c.x - radius, y: c.y - radius, w: 2 * radius, h: 2 * radius };
}

/** A box an arrow attaches to: clipped at `rect`, aimed at `aim` (an icon's centre). */
export interface Port {
  /** Where the arrow stops. */
  readonly rect: Rect;
  /** The point the arrow runs towards. */
  readonly aim: Point;
  /** An icon inside `rect`: arrows leaving through its sides or top stop at the icon itself. */
  readonly icon?: Rect;
}

/**
 * A route from a to b that crosses none of `obstacles`: straight, one elbow, a Z-shaped jog,
 * or over a lane above both; clipped to the boxes' edges. Falls back to straight.
 */
export function route(a: Port, b: Port, obstacles: Rect[], laneY: number): Point[] {
  const pa = a.aim;
  const pb = b.aim;
  // Fewest bends first: straight, one elbow, a jog part-way (Z-shaped), then the lane.
  const at = (f: number) => ({ x: pa.x + f * (pb.x - pa.x), y: pa.y + f * (pb.y - pa.y) });
  const jogs = [0.5, 0.25, 0.75, 0.1, 0.9].map(at);
  const candidates: Point[][] = [
    [pa, pb],
    [pa, { x: pb.x, y: pa.y }, pb],
    [pa, { x: pa.x, y: pb.y }, pb],
    ...jogs.flatMap((m) => [
      [pa, { x: pa.x, y: m.y }, { x: pb.x, y: m.y }, pb],
      [pa, { x: m.x, y: pa.y }, { x: m.x, y: pb.y }, pb],
    ]),
    [pa, { x: pa.x, y: laneY }, { x: pb.x, y: laneY }, pb],
  ];
  const clear = candidates.find((c) => !obstacles.some((o) => polylineHitsRect(c, grow(o, 3))));
  return clip(clear ?? candidates[0], a, b);
}

/** Trims a polyline that runs centre to centre so it starts and ends on the boxes' edges. */
function clip(points: Point[], a: Port, b: Port): Point[] {
  const out = [...points];
  out[0] = leave(points[0], points[1], a);
  const n = points.length;
  out[n - 1] = leave(points[n - 1], points[n - 2], b);
  return out;
}

/** Where a line from a port's aim towards q crosses its edge (below the labels when downwards). */
function leave(p: Point, q: Point, port: Port): Point {
  if (port.icon) {
    const e = exitPoint(p, q, port.icon);
    if (e.y < bottom(port.icon) - 0.5) return e;
  }
  return exitPoint(p, q, port.rect);
}

/** Shifts a polyline sideways so the way out and the reply run side by side. */
export function offset(points: Point[], by: number): Point[] {
  if (points.length === 2) {
    const [p, q] = points;
    const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
    const nx = (-(q.y - p.y) / len) * by;
    const ny = ((q.x - p.x) / len) * by;
    return points.map((pt) => ({ x: pt.x + nx, y: pt.y + ny }));
  }
  return points.map((pt) => ({ x: pt.x + by, y: pt.y + by }));
}
