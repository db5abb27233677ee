/** Tables drawn in the diagram: route tables, the NAT and IGW tables, traffic, the server's view. */
import type { Box, TableData } from '../boxes';
import { charsFor, colour, fit, round, text } from './common';

const TITLE = 24;
const ROW = 20;

const titleFill: Record<TableData['tone'], { fill: string; ink: string }> = {
  nat: { fill: colour.yellow, ink: colour.ink },
  igw: { fill: colour.yellow, ink: colour.ink },
  traffic: { fill: colour.yellow, ink: colour.ink },
  server: { fill: colour.yellow, ink: colour.ink },
  public: { fill: colour.green, ink: '#ffffff' },
  private: { fill: colour.blue, ink: '#ffffff' },
};

function cell(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(w)}" height="${round(h)}" fill="${fill}" stroke="${colour.ink}" stroke-width="1"/>`;
}

/** A table: title bar, a heading row (inside columns green, outside ones orange), the rows. */
export function drawTable(box: Box & { data: TableData }): string {
  const d = box.data;
  const n = d.columns.length;
  const widths = (d.widths ?? d.columns.map(() => 1 / n)).map((f) => f * box.w);
  const xs = widths.reduce<number[]>((acc, _w, i) => [...acc, i === 0 ? box.x : acc[i - 1] + widths[i - 1]], []);
  const tone = titleFill[d.tone];
  const route = d.tone === 'public' || d.tone === 'private';
  const parts = [cell(box.x, box.y, box.w, TITLE, tone.fill), text(box.x + box.w / 2, box.y + 16, fit(d.title, charsFor(box.w - 8)), { anchor: 'middle', weight: 'bold', fill: tone.ink })];
  const headY = box.y + TITLE;
  d.columns.forEach((col, i) => {
    const fill = route ? '#d9d9d9' : d.outsideColumns?.includes(i) ? colour.orange : colour.green;
    parts.push(cell(xs[i], headY, widths[i], ROW, fill));
    parts.push(text(xs[i] + widths[i] / 2, headY + 14, fit(col, charsFor(widths[i] - 6)), { anchor: 'middle', weight: 'bold', fill: route ? colour.ink : '#1a1a1a' }));
  });
  d.rows.forEach((row, r) => {
    const y = headY + ROW * (r + 1);
    const hot = d.highlight?.includes(r);
    row.forEach((value, i) => {
      parts.push(cell(xs[i], y, widths[i], ROW, hot ? '#fff2cc' : '#ffffff'));
      parts.push(text(xs[i] + widths[i] / 2, y + 14, fit(value, charsFor(widths[i] - 6)), { anchor: 'middle', weight: hot || !route ? 'bold' : 'normal' }));
    });
  });
  return parts.join('');
}
