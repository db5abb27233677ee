/** Containers: the region, the VPC, an Availability Zone column and a subnet. */
import type { Box } from '../boxes';
import { colour, esc, round, text } from './common';

function frame(box: Box, stroke: string, dash: string | null, fill = 'none'): string {
  return `<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.w)}" height="${round(box.h)}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
}

/** A small square badge in a container's corner, like the AWS group icons. */
function badge(box: Box, fill: string, glyph: string): string {
  return `<rect x="${round(box.x)}" y="${round(box.y)}" width="22" height="22" fill="${fill}"/>` + text(box.x + 11, box.y + 15, glyph, { size: 11, anchor: 'middle', weight: 'bold', fill: '#ffffff' });
}

export function drawRegion(box: Box<'region'>): string {
  return frame(box, colour.region, '5 4') + badge(box, colour.region, 'R') + text(box.x + 30, box.y + 16, box.data.label, { fill: colour.region });
}

export function drawVpc(box: Box<'vpc'>): string {
  return frame(box, colour.vpc, null) + badge(box, colour.vpc, 'V') + text(box.x + 30, box.y + 16, `${box.data.label}  ${box.data.cidr}`, { fill: colour.vpc, weight: 'bold' });
}

export function drawAz(box: Box<'az'>): string {
  return frame(box, colour.az, '4 3') + text(box.x + 10, box.y + 19, box.data.label, { fill: colour.grey });
}

export function drawSubnet(box: Box<'subnet'>): string {
  const pub = box.data.tone === 'public';
  const fill = pub ? colour.publicFill : colour.privateFill;
  const ink = pub ? colour.publicText : colour.privateText;
  return (
    `<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.w)}" height="${round(box.h)}" fill="${fill}"><title>${esc(`${box.id} ${box.data.cidr}`)}</title></rect>` +
    badge(box, ink, 'S') +
    text(box.x + 28, box.y + 15, box.data.label, { fill: ink, weight: 'bold' }) +
    text(box.x + 28, box.y + 29, box.data.cidr, { fill: ink, size: 11 })
  );
}
