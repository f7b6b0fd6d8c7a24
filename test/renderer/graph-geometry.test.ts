import { describe, expect, it } from 'vitest';
import { arrowPath, bounds, fitTransform, linkGeometry } from '../../renderer/graph/geometry.js';
import { linkBatches } from '../../renderer/graph/link-batches.js';

describe('link geometry', () => {
  it('runs from circle edge to circle edge with the arrowhead touching the retained object', () => {
    const g = linkGeometry(0, 0, 5, 100, 0, 10)!;
    expect(g.x1).toBe(5);
    expect(g.y1).toBe(0);
    // Tip at the target's rim, the line stops at the arrow's base.
    expect(g.arrow.slice(0, 2)).toEqual([90, 0]);
    expect(g.x2).toBe(84);
    expect(g.arrow[2]).toBe(84);
    expect(Math.abs(g.arrow[3] - g.arrow[5])).toBe(6);
    expect(arrowPath(g.arrow)).toBe('M90.0,0.0L84.0,3.0L84.0,-3.0Z');
  });

  it('draws nothing between overlapping circles', () => {
    expect(linkGeometry(0, 0, 5, 8, 0, 5)).toBeUndefined();
    expect(linkGeometry(3, 3, 4, 3, 3, 4)).toBeUndefined();
  });
});

describe('fit', () => {
  it('centres the bounds in the view at the largest scale that fits, capped', () => {
    const b = bounds(Float32Array.from([-100, 0, 100, 400, 0, 200]))!;
    expect(b).toEqual({ x0: -100, y0: 0, x1: 100, y1: 400 });
    const t = fitTransform(b, 600, 480, 40);
    expect(t.k).toBeCloseTo(1, 5);
    expect(t.x + t.k * 0).toBeCloseTo(300, 5);
    expect(t.y + t.k * 200).toBeCloseTo(240, 5);
    expect(fitTransform({ x0: 0, y0: 0, x1: 0, y1: 0 }, 600, 480).k).toBe(1.5);
    expect(bounds(new Float32Array(0))).toBeUndefined();
  });
});

describe('link batches', () => {
  it('draws each style as one path of lines and one of arrowheads, skipping overlapping circles', () => {
    const nodes = [0, 1, 2, 3].map((i) => ({ radius: 4, index: i }));
    const links = [
      { source: 0, target: 1, kind: 'strong' as const, status: undefined },
      { source: 2, target: 1, kind: 'strong' as const, status: undefined },
      { source: 3, target: 1, kind: 'weak' as const, status: 'removed' as const },
      { source: 3, target: 2, kind: 'strong' as const, status: undefined },
    ];
    const xy = Float32Array.from([0, 0, 0, 100, 100, 100, 102, 100]);
    const batches = linkBatches({ nodes, links } as unknown as Parameters<typeof linkBatches>[0], xy);
    expect(batches.map((b) => [b.key, b.count])).toEqual([['strong|', 2], ['weak|removed', 1]]);
    const strong = batches[0]!;
    expect(strong.lines).toBe('M0.0,4.0L0.0,90.0M96.0,100.0L10.0,100.0');
    expect(strong.heads.match(/M/g)).toHaveLength(2);
    expect(batches[1]!.style.dash).toEqual([1.5, 3]);
    expect(linkBatches({ nodes, links } as unknown as Parameters<typeof linkBatches>[0], new Float32Array(2))).toEqual([]);
  });
});
