/** Markers: the numbered steps, the cross where a packet was dropped, and its note. */
import type { Box } from '../boxes';
import { colour, round, text } from './common';

export function drawStep(box: Box<'step'>): string {
  const r = box.w / 2;
  return `<circle cx="${round(box.x + r)}" cy="${round(box.y + r)}" r="${round(r)}" fill="${colour.stepFill}" stroke="${colour.stepStroke}" stroke-width="1.5"/>` + text(box.x + r, box.y + r + 4.5, String(box.data.n), { anchor: 'middle', size: 13, weight: 'bold', fill: '#7a1f1a' });
}

export function drawDrop(box: Box<'drop'>): string {
  const r = box.w / 2;
  const cx = box.x + r;
  const cy = box.y + r;
  const k = r * 0.5;
  return `<circle cx="${round(cx)}" cy="${round(cy)}" r="${round(r)}" fill="${colour.reply}"/><path d="M ${round(cx - k)} ${round(cy - k)} L ${round(cx + k)} ${round(cy + k)} M ${round(cx + k)} ${round(cy - k)} L ${round(cx - k)} ${round(cy + k)}" stroke="#ffffff" stroke-width="3"/>`;
}

export function drawDropNote(box: Box<'drop-note'>): string {
  // The title may be long (several flows); layout wrapped it into lines.
  const titles = box.data.title.split('\n');
  return (
    `<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.w)}" height="${round(box.h)}" fill="#fdecea" stroke="${colour.reply}" stroke-width="1.5"/>` +
    titles.map((line, i) => text(box.x + 10, box.y + 19 + i * 15, line, { weight: 'bold', fill: colour.reply })).join('') +
    box.data.lines.map((line, i) => text(box.x + 10, box.y + 23 + titles.length * 15 + i * 15, line, { size: 12 })).join('')
  );
}
