/** Drawing the 468-point face mesh on a 2-D canvas: Delaunay edges of the points, then the points. */
import Delaunator from 'delaunator';
import type { Point3 } from './engine';

/** Unique undirected edges of the Delaunay triangulation of the points' (x, y). */
export function meshEdges(points: readonly Point3[]): Uint32Array {
  const d = Delaunator.from(
    points as Point3[],
    (p) => p[0],
    (p) => p[1],
  );
  const seen = new Set<number>();
  const out: number[] = [];
  const t = d.triangles;
  for (let i = 0; i < t.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const a = t[i + k];
      const b = t[i + ((k + 1) % 3)];
      const key = a < b ? a * 65536 + b : b * 65536 + a;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(a, b);
      }
    }
  }
  return Uint32Array.from(out);
}

export interface MeshStyle {
  edge: string;
  point: string;
  radius: number;
  lineWidth: number;
}

/** Draws the mesh; `scale` maps image pixels to canvas pixels. */
export function drawMesh(ctx: CanvasRenderingContext2D, points: readonly Point3[], edges: Uint32Array, scale: number, style: MeshStyle): void {
  ctx.lineWidth = style.lineWidth;
  ctx.strokeStyle = style.edge;
  ctx.beginPath();
  for (let i = 0; i < edges.length; i += 2) {
    const a = points[edges[i]];
    const b = points[edges[i + 1]];
    ctx.moveTo(a[0] * scale, a[1] * scale);
    ctx.lineTo(b[0] * scale, b[1] * scale);
  }
  ctx.stroke();
  ctx.fillStyle = style.point;
  ctx.beginPath();
  for (const p of points) {
    ctx.moveTo(p[0] * scale + style.radius, p[1] * scale);
    ctx.arc(p[0] * scale, p[1] * scale, style.radius, 0, Math.PI * 2);
  }
  ctx.fill();
}
