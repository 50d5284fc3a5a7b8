/** Colour-blind-friendly categorical palette (Tableau 10 plus two); Unknown is always grey. */
const palette = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#17becf',
  '#bcbd22',
  '#8c564b',
];
export const unknownColor = '#9e9e9e';
export const otherColor = '#d3d3d3';

/** One colour per role across the whole report, so a role looks the same in every chart and bar. */
export class RoleColors {
  private readonly byLabel = new Map<string, string>();

  of(label: string): string {
    let color = this.byLabel.get(label);
    if (color === undefined) {
      color = label === 'Unknown' ? unknownColor : palette[this.countKnown() % palette.length]!;
      this.byLabel.set(label, color);
    }
    return color;
  }

  private countKnown(): number {
    let n = 0;
    for (const label of this.byLabel.keys()) if (label !== 'Unknown') n++;
    return n;
  }
}

/**
 * Sequential white-to-navy scale for heat-map cells, t in [0, 1]: linear in sRGB between three stops,
 * which keeps neighbouring shares distinguishable and prints as grey ramps.
 */
export function heatColor(t: number): string {
  const stops: [number, number, number][] = [
    [247, 251, 255],
    [107, 174, 214],
    [8, 48, 107],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export const heatGradient =
  'linear-gradient(to right, rgb(247, 251, 255), rgb(107, 174, 214), rgb(8, 48, 107))';
