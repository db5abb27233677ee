/** Puts the laid-out diagram on an SVG canvas: containers, then arrows, then the other boxes. */
import type { Arrow, ArrowKind, Diagram } from './boxes';
import { CONTAINER_KINDS } from './boxes';
import { colour, esc, round } from './draw/common';
import { drawBox } from './draw';
import { layout } from './layout';
import type { ReportInput } from './view';

const arrowStyle: Record<ArrowKind, { stroke: string; width: number; dash?: string }> = {
  forward: { stroke: colour.forward, width: 2 },
  reply: { stroke: colour.reply, width: 2 },
  dropped: { stroke: colour.reply, width: 2.5, dash: '7 4' },
  association: { stroke: colour.ink, width: 1.2 },
  leader: { stroke: colour.reply, width: 1.2, dash: '3 3' },
};

function drawArrow(a: Arrow): string {
  const s = arrowStyle[a.kind];
  const points = a.points.map((p) => `${round(p.x)},${round(p.y)}`).join(' ');
  const what = a.headers?.length ? a.headers.join('\n') : a.flows.join(', ');
  const title = a.flows.length ? `<title>${esc(`${a.kind}: ${what}`)}</title>` : '';
  return `<polyline class="arrow arrow-${a.kind}" points="${points}" fill="none" stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} marker-end="url(#head-${a.kind})">${title}</polyline>`;
}

function markers(): string {
  return (Object.keys(arrowStyle) as ArrowKind[])
    .map((k) => `<marker id="head-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${arrowStyle[k].stroke}"/></marker>`)
    .join('');
}

/** SVG text for a laid-out diagram; `inline` leaves out the namespace (HTML supplies it). */
export function diagramToSvg(d: Diagram, title = 'natlab diagram', inline = false): string {
  const group = (b: Diagram['boxes'][number]) => `<g class="box box-${b.kind}" data-kind="${b.kind}" data-id="${esc(b.id)}">${drawBox(b)}</g>`;
  const containers = d.boxes.filter((b) => CONTAINER_KINDS.has(b.kind)).map(group);
  const leaves = d.boxes.filter((b) => !CONTAINER_KINDS.has(b.kind)).map(group);
  const behind = d.arrows.filter((a) => a.kind === 'association').map(drawArrow);
  const paths = d.arrows.filter((a) => a.kind !== 'association').map(drawArrow);
  return [
    `<svg${inline ? '' : ' xmlns="http://www.w3.org/2000/svg"'} viewBox="0 0 ${d.width} ${d.height}" width="${d.width}" height="${d.height}" role="img" aria-label="${esc(title)}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" fill="${colour.ink}">`,
    `<title>${esc(title)}</title>`,
    `<defs>${markers()}</defs>`,
    `<rect class="background" x="0" y="0" width="${d.width}" height="${d.height}" fill="#ffffff"/>`,
    ...containers,
    ...behind,
    ...paths,
    ...leaves,
    '</svg>',
  ].join('\n');
}

/** Lays out and draws the article's picture for a walk, prediction or run. */
export function renderSvg(input: ReportInput): string {
  return diagramToSvg(layout(input), `natlab ${input.kind}: ${input.topology.name}`);
}
