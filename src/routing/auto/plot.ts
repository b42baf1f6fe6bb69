// The cost-quality curve as a small standalone SVG (no dependency): PGR against strong-tier
// share, with the random router's diagonal for reference.
import type { Curve } from './curve.js';

export function curveSvg(c: Curve): string {
  const W = 480;
  const H = 320;
  const m = 40;
  const x = (v: number) => m + v * (W - 2 * m);
  const y = (v: number) => H - m - Math.max(-0.1, Math.min(1.1, v)) * (H - 2 * m);
  const path = c.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.strongShare).toFixed(1)},${y(p.pgr).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="white"/>
<line x1="${m}" y1="${H - m}" x2="${W - m}" y2="${H - m}" stroke="black"/><line x1="${m}" y1="${m}" x2="${m}" y2="${H - m}" stroke="black"/>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 3"/>
<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>
<text x="${W / 2}" y="${H - 8}" text-anchor="middle">share sent to the stronger tier</text>
<text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">performance gap recovered</text>
<text x="${W - m}" y="${m - 8}" text-anchor="end">APGR ${c.apgr.toFixed(3)} (random 0.500)</text>
</svg>
`;
}
