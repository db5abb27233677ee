/** Icon boxes: NAT Gateway, Internet Gateway, the internet, a server and an instance. */
import type { Box, Rect } from '../boxes';
import { charsFor, colour, esc, fit, round, text } from './common';

function labels(box: Box, startY: number, lines: string[], first: { weight?: 'bold'; fill?: string } = {}): string {
  // Labels may use the cell around the box, a little wider than the box itself.
  const max = charsFor(box.w + 34, 11);
  return lines.map((line, i) => text(box.x + box.w / 2, startY + 13 + i * 15, fit(line, max), { anchor: 'middle', size: i === 0 ? 12 : 11, weight: i === 0 ? first.weight : undefined, fill: i === 0 ? first.fill : colour.grey })).join('');
}

function iconRect(box: Box): Rect {
  return box.anchor ?? box;
}

function tooltip(content: string): string {
  return `<title>${esc(content)}</title>`;
}

export function drawNatGateway(box: Box<'nat-gateway'>): string {
  const a = iconRect(box);
  const cx = a.x + a.w / 2;
  const cy = a.y + a.h / 2;
  const r = a.w / 2 - 1;
  // The AWS NAT Gateway glyph: a circle with three arrows merging into one.
  const arrows = [-10, 0, 10].map((dy) => `<path d="M ${round(cx - 12)} ${round(cy + dy)} L ${round(cx - 2)} ${round(cy)}" stroke="${colour.purple}" stroke-width="2" fill="none"/><path d="M ${round(cx - 15)} ${round(cy + dy - 3)} l 4 3 l -4 3 z" fill="${colour.purple}"/>`).join('');
  return (
    `<g>${tooltip(`NAT Gateway ${box.id}: ${box.data.ips.join(', ')}`)}<circle cx="${round(cx)}" cy="${round(cy)}" r="${round(r)}" fill="#ffffff" stroke="${colour.purple}" stroke-width="2.5"/>` +
    arrows +
    `<path d="M ${round(cx - 2)} ${round(cy)} L ${round(cx + 12)} ${round(cy)}" stroke="${colour.purple}" stroke-width="2.5"/><path d="M ${round(cx + 10)} ${round(cy - 5)} l 7 5 l -7 5 z" fill="${colour.purple}"/></g>` +
    labels(box, a.y + a.h + 2, [box.data.label, ...box.data.ips], { weight: 'bold' })
  );
}

export function drawInternetGateway(box: Box<'internet-gateway'>): string {
  const a = iconRect(box);
  const cx = a.x + a.w / 2;
  const cy = a.y + a.h / 2;
  return (
    `<g>${tooltip(`Internet Gateway ${box.id}`)}<circle cx="${round(cx)}" cy="${round(cy)}" r="${round(a.w / 2 - 1)}" fill="#ffffff" stroke="${colour.purple}" stroke-width="2.5"/>` +
    `<path d="M ${round(cx - 10)} ${round(cy + 14)} V ${round(cy - 4)} a 10 10 0 0 1 20 0 V ${round(cy + 14)}" stroke="${colour.purple}" stroke-width="5" fill="none"/></g>` +
    labels(box, a.y + a.h + 2, [box.data.label], { weight: 'bold' })
  );
}

export function drawInternet(box: Box<'internet'>): string {
  const a = iconRect(box);
  const x = a.x;
  const y = a.y;
  const cloud = `M ${round(x + 22)} ${round(y + 56)} H ${round(x + 90)} a 18 18 0 0 0 0 -36 a 26 26 0 0 0 -48 -6 a 18 18 0 0 0 -20 42 z`;
  return (
    `<g>${tooltip('The internet')}<path d="${cloud}" fill="#ffffff" stroke="${colour.grey}" stroke-width="3"/>` +
    `<path d="M ${round(x + 48)} ${round(y + 50)} V ${round(y + 28)} m -6 6 l 6 -6 l 6 6 M ${round(x + 64)} ${round(y + 26)} V ${round(y + 48)} m -6 -6 l 6 6 l 6 -6" stroke="${colour.grey}" stroke-width="2.5" fill="none"/></g>` +
    labels(box, a.y + a.h + 2, [box.data.label])
  );
}

export function drawServer(box: Box<'server'>): string {
  const a = iconRect(box);
  const bars = [10, 20, 30].map((dy) => `<rect x="${round(a.x + 8)}" y="${round(a.y + dy)}" width="${round(a.w - 16)}" height="4" fill="#ffffff"/>`).join('');
  return (
    `<g>${tooltip(`${box.data.label} ${box.data.ip}`)}<rect x="${round(a.x)}" y="${round(a.y)}" width="${round(a.w)}" height="${round(a.h)}" rx="3" fill="#6b6b6b"/>${bars}</g>` +
    text(box.x + box.w / 2, a.y + a.h + 18, fit(`Public ${box.data.label}`, charsFor(box.w, 14)), { anchor: 'middle', size: 14, weight: 'bold' }) +
    text(box.x + box.w / 2, a.y + a.h + 35, box.data.ip, { anchor: 'middle', size: 14, weight: 'bold' })
  );
}

export function drawHost(box: Box<'host'>): string {
  const a = iconRect(box);
  const pins = [10, 20, 30, 38]
    .map((d) => `<path d="M ${round(a.x + d)} ${round(a.y)} v 5 M ${round(a.x + d)} ${round(a.y + a.h)} v -5 M ${round(a.x)} ${round(a.y + d)} h 5 M ${round(a.x + a.w)} ${round(a.y + d)} h -5" stroke="${colour.ec2}" stroke-width="2"/>`)
    .join('');
  const badge = box.data.kind === 'lambda' ? 'λ' : 'EC2';
  const lines = [box.data.label, box.data.ip, ...(box.data.publicIp ? [`public ${box.data.publicIp}`] : [])];
  return (
    `<g>${tooltip(`${box.data.label} ${box.data.ip}${box.data.publicIp ? ` (public ${box.data.publicIp})` : ''}`)}<rect x="${round(a.x + 5)}" y="${round(a.y + 5)}" width="${round(a.w - 10)}" height="${round(a.h - 10)}" fill="#ffffff" stroke="${colour.ec2}" stroke-width="2.5"/>${pins}` +
    text(a.x + a.w / 2, a.y + a.h / 2 + 5, badge, { anchor: 'middle', size: 13, weight: 'bold', fill: colour.ec2 }) +
    '</g>' +
    labels(box, a.y + a.h + 2, lines, { weight: 'bold' })
  );
}
