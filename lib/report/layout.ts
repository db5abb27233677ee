/**
 * The layout step: topology and walks in, positioned boxes and arrows out, in the article's
 * arrangement (route tables on the left; region, VPC and one column per AZ with public
 * subnets above private ones; NAT and IGW tables beside the VPC; the internet and the server
 * on the right; the clients' traffic below). Pure: what a box looks like is draw/'s business.
 */
import { routeTableForSubnet } from '../model/rules';
import type { Host, NatGateway, RouteTable, Subnet, Topology, Walk } from '../model/types';
import type { AnyBox, Arrow, ArrowKind, Box, BoxDataByKind, BoxKind, Diagram, Point, Rect, TableData } from './boxes';
import { CONTAINER_KINDS } from './boxes';
import { bottom, center, circleRect, grow, offset, overlaps, polylineHitsRect, type Port, right, route } from './geometry';
import { formatHeader, igwRows, natRows, type ReportInput, serverRows, trafficRows } from './view';

// Sizes in SVG user units (1 unit = 1 CSS pixel at 100%).
const MARGIN = 30;
const RT_W = 230;
const REGION_X = MARGIN + RT_W + 50;
const HEAD = 34;
const PAD = 20;
const CELL_W = 130;
const CELL_H = 124;
const NODE_W = 96;
const ICON = 48;
const LINE = 15;
const PER_ROW = 2;
const SUBNET_W = PER_ROW * CELL_W + 16;
const AZ_W = SUBNET_W + 24;
const AZ_GAP = 20;
const TABLE_TITLE = 24;
const TABLE_ROW = 20;
const STEP_R = 11;

/** Height of a table box with `rows` rows. */
export function tableHeight(rows: number): number {
  return TABLE_TITLE + TABLE_ROW * (rows + 1);
}

/** Everything placed so far, plus lookups by component id. */
class Canvas {
  readonly boxes: AnyBox[] = [];
  readonly arrows: Arrow[] = [];
  private readonly byId = new Map<string, AnyBox>();

  add<K extends BoxKind>(kind: K, id: string, rect: Rect, data: BoxDataByKind[K], anchor?: Rect): Box<K> {
    const box = { kind, id, ...rect, data, anchor } as Box<K>;
    this.boxes.push(box as unknown as AnyBox);
    if (!this.byId.has(id)) this.byId.set(id, box as unknown as AnyBox);
    return box;
  }

  get(id: string): AnyBox | undefined {
    return this.byId.get(id);
  }

  leaves(): AnyBox[] {
    return this.boxes.filter((b) => !CONTAINER_KINDS.has(b.kind));
  }
}

/** The table a subnet uses, by the model's rule (its association, else the VPC's main table, implicit included). */
function routeTableOf(t: Topology, s: Subnet): RouteTable | undefined {
  try {
    return routeTableForSubnet(t, s).table;
  } catch {
    return undefined; // a result file whose topology lacks the table: draw none
  }
}

function isPublic(t: Topology, s: Subnet): boolean {
  return routeTableOf(t, s)?.routes.some((r) => r.target.kind === 'igw') ?? false;
}

/** Public subnets first (the NAT Gateways live there), then private, then by address. */
function subnetOrder(t: Topology, a: Subnet, b: Subnet): number {
  const rank = (s: Subnet) => (isPublic(t, s) ? 0 : 1);
  return rank(a) - rank(b) || a.cidr.localeCompare(b.cidr, 'en', { numeric: true });
}

function targetLabel(route: RouteTable['routes'][number]): string {
  const target = route.target;
  if (target.kind === 'local' || target.kind === 'blackhole') return target.kind;
  return target.id;
}

/**
 * Rows of a route table a walk matched: the hop's structured match names the table and the
 * route's destination (results written before it was recorded are read by their text).
 */
function matchedRows(rt: RouteTable, walks: Walk[]): number[] {
  const hops = walks.flatMap((w) => [...w.hops, ...(w.reply?.hops ?? [])]).filter((h) => h.component.id === rt.id);
  const destinations = new Set(hops.flatMap((h) => (h.match?.kind === 'route' && h.match.table === rt.id ? [h.match.destination] : [])));
  const legacy = hops.filter((h) => h.match === undefined && h.matched).map((h) => h.matched as string);
  return rt.routes.flatMap((r, i) => (destinations.has(r.destination) || legacy.some((m) => m === r.destination || m.startsWith(`${r.destination} `)) ? [i] : []));
}

function table(title: string, columns: string[], rows: string[][], tone: TableData['tone'], extra: Partial<TableData> = {}): TableData {
  return { title, columns, rows, tone, ...extra };
}

/** Node boxes: an icon on top and short label lines under it; arrows attach to the icon. */
function nodeRect(cx: number, y: number, lines: number, iconH = ICON): { rect: Rect; anchor: Rect } {
  const rect = { x: cx - NODE_W / 2, y, w: NODE_W, h: iconH + 6 + lines * LINE };
  return { rect, anchor: { x: cx - ICON / 2, y, w: ICON, h: iconH } };
}

interface Band {
  readonly vpcRect: Rect;
  readonly laneY: number;
  /** The y of the row arrows to the IGW run along. */
  readonly igwCy: number;
}

/**
 * Where each NAT Gateway and host of a subnet sits: NAT Gateways in rows of their own, on the
 * right (the side the IGW is on), so the way to the IGW is a straight line; hosts below.
 */
function cellsOf(t: Topology, s: Subnet): { cells: Array<{ item: Host | NatGateway; row: number; column: number }>; rows: number } {
  const nats = t.natGateways.filter((n) => n.subnet === s.id);
  const hosts = t.hosts.filter((h) => h.subnet === s.id);
  const cells: Array<{ item: Host | NatGateway; row: number; column: number }> = [];
  const natRowCount = Math.ceil(nats.length / PER_ROW);
  nats.forEach((item, k) => {
    const row = Math.floor(k / PER_ROW);
    const inRow = Math.min(PER_ROW, nats.length - row * PER_ROW);
    cells.push({ item, row, column: PER_ROW - inRow + (k % PER_ROW) });
  });
  hosts.forEach((item, k) => cells.push({ item, row: natRowCount + Math.floor(k / PER_ROW), column: k % PER_ROW }));
  return { cells, rows: natRowCount + Math.ceil(hosts.length / PER_ROW) };
}

/** One VPC: AZ columns with their subnets; returns where arrows should run. */
function placeVpc(c: Canvas, t: Topology, vpcId: string, x: number, y: number): Band & { width: number; height: number } {
  const vpc = t.vpcs.find((v) => v.id === vpcId)!;
  const subnets = t.subnets.filter((s) => s.vpc === vpcId);
  const azs = [...new Set(subnets.map((s) => s.az))].sort();
  const columns = azs.map((az) => subnets.filter((s) => s.az === az).sort((a, b) => subnetOrder(t, a, b)));
  const heightOf = (s: Subnet) => HEAD + Math.max(1, cellsOf(t, s).rows) * CELL_H + 6;
  const rowCount = Math.max(0, ...columns.map((col) => col.length));
  const rowHeights = Array.from({ length: rowCount }, (_, i) => Math.max(...columns.map((col) => (col[i] ? heightOf(col[i]) : 0))));
  const azHeight = HEAD + rowHeights.reduce((a, b) => a + b + 14, 0) + 6;
  const width = 2 * PAD + Math.max(1, azs.length) * AZ_W + Math.max(0, azs.length - 1) * AZ_GAP;
  const height = HEAD + azHeight + PAD;
  c.add('vpc', vpc.id, { x, y, w: width, h: height }, { label: `VPC ${vpc.name ?? vpc.id}`, cidr: vpc.cidrs.join(', ') });
  let igwCy: number | undefined;
  columns.forEach((col, ci) => {
    const azX = x + PAD + ci * (AZ_W + AZ_GAP);
    const azY = y + HEAD;
    c.add('az', `${vpc.id}/${azs[ci]}`, { x: azX, y: azY, w: AZ_W, h: azHeight }, { label: `Availability Zone ${azs[ci]}` });
    let sy = azY + HEAD;
    col.forEach((s, ri) => {
      const sx = azX + 12;
      const pub = isPublic(t, s);
      c.add('subnet', s.id, { x: sx, y: sy, w: SUBNET_W, h: rowHeights[ri] }, { label: `${pub ? 'Public' : 'Private'} subnet ${s.name ?? s.id}`, cidr: s.cidr, tone: pub ? 'public' : 'private' });
      cellsOf(t, s).cells.forEach(({ item, row, column }) => {
        const cx = sx + 8 + column * CELL_W + CELL_W / 2;
        const cy = sy + HEAD + row * CELL_H + 22;
        if ('addresses' in item) {
          const ips = item.addresses.flatMap((a) => [a.privateIp, ...(a.publicIp ? [`EIP ${a.publicIp}`] : [])]);
          const { rect, anchor } = nodeRect(cx, cy, 1 + ips.length);
          c.add('nat-gateway', item.id, rect, { label: item.id, ips }, anchor);
          if (igwCy === undefined) igwCy = anchor.y + anchor.h / 2;
        } else {
          const lines = 2 + (item.publicIp ? 1 : 0);
          const { rect, anchor } = nodeRect(cx, cy, lines);
          c.add('host', item.id, rect, { label: item.name ?? item.id, ip: item.privateIp, publicIp: item.publicIp, kind: item.kind }, anchor);
        }
      });
      sy += rowHeights[ri] + 14;
    });
  });
  return { vpcRect: { x, y, w: width, h: height }, width, height, laneY: y - 12, igwCy: igwCy ?? y + HEAD + HEAD + HEAD + 40 };
}

/** Route tables in a column left of the region, each beside the first subnet it serves. */
function placeRouteTables(c: Canvas, t: Topology, walks: Walk[]): void {
  const onHops = new Set(walks.flatMap((w) => [...w.hops, ...(w.reply?.hops ?? [])]).filter((h) => h.component.kind === 'route-table').map((h) => h.component.id));
  const subnetBoxes = c.boxes.filter((b) => b.kind === 'subnet').sort((a, b) => a.y - b.y || a.x - b.x);
  const order: RouteTable[] = [];
  const has = (rt: RouteTable): boolean => order.some((o) => o.id === rt.id);
  for (const sb of subnetBoxes) {
    const s = t.subnets.find((x) => x.id === sb.id);
    const rt = s && routeTableOf(t, s);
    if (rt && !has(rt)) order.push(rt);
  }
  for (const rt of t.routeTables) if (onHops.has(rt.id) && !has(rt)) order.push(rt);
  let nextY = MARGIN;
  for (const rt of order) {
    const first = subnetBoxes.find((sb) => {
      const s = t.subnets.find((x) => x.id === sb.id);
      return s !== undefined && routeTableOf(t, s)?.id === rt.id;
    });
    const y = Math.max(nextY, first ? first.y + HEAD : nextY);
    const h = tableHeight(rt.routes.length);
    const tone = rt.routes.some((r) => r.target.kind === 'igw') ? 'public' : 'private';
    c.add('route-table', rt.id, { x: MARGIN, y, w: RT_W, h }, table(rt.name ? `${rt.id} (${rt.name})` : rt.id, ['Destination', 'Target'], rt.routes.map((r) => [r.destination, targetLabel(r)]), tone, { highlight: matchedRows(rt, walks) }));
    nextY = y + h + 24;
  }
}

function associationArrows(c: Canvas, t: Topology, laneY: number): void {
  for (const sb of c.boxes.filter((b) => b.kind === 'subnet')) {
    const s = t.subnets.find((x) => x.id === sb.id);
    const rt = s && routeTableOf(t, s);
    const rtBox = rt && c.get(rt.id);
    if (!rtBox || rtBox.kind !== 'route-table') continue;
    const targetRect: Rect = { x: sb.x, y: sb.y + 6, w: 8, h: 20 };
    const sourceRect: Rect = { x: right(rtBox) - 8, y: rtBox.y + 4, w: 8, h: 16 };
    const target = { rect: targetRect, aim: center(targetRect) };
    const source = { rect: sourceRect, aim: center(sourceRect) };
    const obstacles = c.leaves().filter((b) => b !== rtBox);
    c.arrows.push({ kind: 'association', flows: [], points: route(source, target, obstacles, laneY) });
  }
}

/** The component box a hop is drawn at: icons first, then the tables a hop names. */
const NODE_KINDS = new Set(['host', 'nat-gateway', 'internet-gateway', 'internet', 'server']);

function nodeIdOf(c: Canvas, id: string, kind: string): string | undefined {
  const box = c.get(kind === 'internet' ? 'internet' : id);
  return box && NODE_KINDS.has(box.kind) ? box.id : undefined;
}

/** Boxes the packet visits, in order, without repeats in a row. */
function pathOf(c: Canvas, hops: Walk['hops']): string[] {
  return arrivals(c, hops).map((a) => a.id);
}

/** Each box the packet reaches, with the header it arrives with. */
function arrivals(c: Canvas, hops: Walk['hops']): Array<{ id: string; header: string }> {
  const out: Array<{ id: string; header: string }> = [];
  for (const h of hops) {
    const id = nodeIdOf(c, h.component.id, h.component.kind);
    if (id && out[out.length - 1]?.id !== id) out.push({ id, header: formatHeader(h.before) });
  }
  return out;
}

interface Segment {
  from: string;
  to: string;
  kind: ArrowKind;
  flows: string[];
  headers: string[];
  /** Which side of the shared route it runs on: the way out -1, replies +1. */
  side: 1 | -1;
}

function segmentsOf(c: Canvas, walks: Walk[]): Segment[] {
  const segments: Segment[] = [];
  const push = (from: string, to: string, kind: ArrowKind, flow: string, header?: string, side: 1 | -1 = kind === 'reply' ? 1 : -1) => {
    const same = segments.find((s) => s.from === from && s.to === to && s.kind === kind && s.side === side);
    const label = header ? `${flow}: ${header}` : flow;
    if (same) {
      same.flows.push(flow);
      same.headers.push(label);
    } else segments.push({ from, to, kind, flows: [flow], headers: [label], side });
  };
  for (const w of walks) {
    const way = arrivals(c, w.hops);
    const fwd = way.map((a) => a.id);
    const end = w.dropped ?? w.leftModel;
    const endAt = end ? dropBoxOf(c, end.component, fwd) : undefined;
    // The last step into the component that dropped the packet is drawn as a drop.
    for (let i = 1; i < way.length; i++) {
      const last = i === way.length - 1 && way[i].id === endAt;
      push(way[i - 1].id, way[i].id, last ? 'dropped' : 'forward', w.flow.name, way[i].header);
    }
    if (endAt && endAt !== fwd[fwd.length - 1] && fwd.length > 0) push(fwd[fwd.length - 1], endAt, 'dropped', w.flow.name);
    const back = w.reply ? arrivals(c, w.reply.hops) : [];
    const replyEnd = w.reply?.dropped ?? w.reply?.leftModel;
    const replyAt = replyEnd && back.length > 0 ? dropBoxOf(c, replyEnd.component, back.map((b) => b.id)) : undefined;
    for (let i = 1; i < back.length; i++) {
      const last = i === back.length - 1 && back[i].id === replyAt;
      push(back[i - 1].id, back[i].id, last ? 'dropped' : 'reply', last ? replyLabel(w) : w.flow.name, back[i].header, 1);
    }
    if (replyAt && replyAt !== back[back.length - 1].id) push(back[back.length - 1].id, replyAt, 'dropped', replyLabel(w), undefined, 1);
  }
  return segments;
}

function replyLabel(w: Walk): string {
  return `${w.flow.name} (reply)`;
}

/** Where a walk or its reply stopped short, for the drop markers and notes. */
function endsOf(w: Walk): Array<{ label: string; key: string; hops: Walk['hops']; end: { component: string; reason: string }; dropped: boolean }> {
  const out = [];
  const end = w.dropped ?? w.leftModel;
  if (end) out.push({ label: w.flow.name, key: w.flow.name, hops: w.hops, end, dropped: Boolean(w.dropped) });
  const replyEnd = w.reply?.dropped ?? w.reply?.leftModel;
  if (w.reply && replyEnd) out.push({ label: replyLabel(w), key: `${w.flow.name}-reply`, hops: w.reply.hops, end: replyEnd, dropped: Boolean(w.reply.dropped) });
  return out;
}

/** Where a drop is drawn: the component's own box, else the last place the packet reached. */
function dropBoxOf(c: Canvas, component: string, path: string[]): string | undefined {
  const own = c.get(component);
  if (own && !CONTAINER_KINDS.has(own.kind)) return own.id;
  return path[path.length - 1];
}

/** Arrows stop at a box's edge (below its labels) and aim at its icon. */
function portOf(box: AnyBox): Port {
  return { rect: box, aim: center(box.anchor ?? box), icon: box.anchor };
}

function placeArrows(c: Canvas, walks: Walk[], laneY: number): void {
  const segments = segmentsOf(c, walks);
  const routes = new Map<string, Point[]>();
  for (const s of segments) {
    const a = c.get(s.from)!;
    const b = c.get(s.to)!;
    const [first, second] = [a, b].sort((p, q) => (p.id < q.id ? -1 : 1));
    const key = `${first.id}|${second.id}`;
    let canonical = routes.get(key);
    if (!canonical) {
      const obstacles = c.leaves().filter((x) => x !== first && x !== second);
      canonical = route(portOf(first), portOf(second), obstacles, laneY);
      routes.set(key, canonical);
    }
    const shifted = offset(canonical, 4 * s.side);
    const points = first.id === s.from ? shifted : [...shifted].reverse();
    c.arrows.push({ kind: s.kind, flows: s.flows, headers: s.headers, points });
  }
}

/** Spots around a box where a marker may go, nearest first. */
function slotsAround(r: Rect): Point[] {
  const d = STEP_R + 4;
  return [
    { x: r.x - d, y: r.y + STEP_R },
    { x: right(r) + d, y: r.y + STEP_R },
    { x: r.x - d, y: r.y + 3 * STEP_R + 4 },
    { x: right(r) + d, y: r.y + 3 * STEP_R + 4 },
    { x: r.x + STEP_R, y: r.y - d },
    { x: right(r) - STEP_R, y: r.y - d },
    { x: r.x + STEP_R, y: bottom(r) + d },
    { x: right(r) - STEP_R, y: bottom(r) + d },
    { x: r.x - d, y: r.y + 5 * STEP_R + 8 },
    { x: right(r) + d, y: r.y + 5 * STEP_R + 8 },
  ];
}

/** Puts a small circle next to `target` where it touches no other box and no arrow. */
function placeMarker<K extends 'step' | 'drop'>(c: Canvas, kind: K, id: string, target: AnyBox, data: BoxDataByKind[K], near?: Point): Box<K> {
  // Container titles are text a marker must not cover either.
  const titles = c.boxes.filter((b) => CONTAINER_KINDS.has(b.kind)).map((b) => ({ x: b.x, y: b.y, w: b.w, h: 32 }));
  const others = [...c.leaves().filter((b) => b !== target), ...titles];
  const free = (p: Point) => {
    const r = grow(circleRect(p, STEP_R), 2);
    return r.x >= 0 && r.y >= 0 && !others.some((o) => overlaps(r, o)) && !c.arrows.some((a) => polylineHitsRect(a.points, r));
  };
  // Beside or above the icon first (labels are below it), then around the whole box.
  const slots = [...(target.anchor ? slotsAround(target.anchor).slice(0, 6) : []), ...slotsAround(target)];
  if (near) slots.sort((p, q) => Math.hypot(p.x - near.x, p.y - near.y) - Math.hypot(q.x - near.x, q.y - near.y));
  const spot = slots.find(free) ?? slots.find((p) => !others.some((o) => overlaps(grow(circleRect(p, STEP_R), 2), o))) ?? slots[0];
  return c.add(kind, id, circleRect(spot, STEP_R), data);
}

/** Numbered markers: per step, the first hop drawn at an icon (else at any box it names). */
function placeSteps(c: Canvas, walks: Walk[]): void {
  const placed = new Set<string>();
  for (const w of walks) {
    const hops = [...w.hops, ...(w.reply?.hops ?? [])];
    const steps = [...new Set(hops.map((h) => h.step).filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
    for (const step of steps) {
      const ofStep = hops.filter((h) => h.step === step);
      const node = ofStep.map((h) => nodeIdOf(c, h.component.id, h.component.kind)).find((id) => id !== undefined);
      const any = ofStep.map((h) => c.get(h.component.id)).find((b) => b && !CONTAINER_KINDS.has(b.kind));
      const target = node ? c.get(node) : any;
      if (!target || placed.has(`${step}@${target.id}`)) continue;
      placed.add(`${step}@${target.id}`);
      placeMarker(c, 'step', `step-${step}@${target.id}`, target, { n: step });
    }
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Lays out the article's picture for any topology and its walks. */
export function layout(input: ReportInput): Diagram {
  const t = input.topology;
  const walks = input.walks;
  const c = new Canvas();
  const vpcIds = t.vpcs.map((v) => v.id);
  const regionY = MARGIN;
  // The VPC sits a little lower so arrows can run along a lane above it.
  const vpcX = REGION_X + PAD;

  // VPC bands, stacked; each band's IGW and tables sit to the right of the widest VPC.
  const bands: Array<Band & { width: number; height: number; vpcId: string }> = [];
  const regionBoxIndex = c.boxes.length;
  let y = regionY + HEAD + 14;
  for (const id of vpcIds) {
    const band = placeVpc(c, t, id, vpcX, y);
    bands.push({ ...band, vpcId: id });
    y += band.height + 40;
  }
  const vpcRight = Math.max(vpcX + 300, ...bands.map((b) => b.vpcRect.x + b.width));
  const sideX = vpcRight + 70;
  const natTableW = 440;
  let sideBottom = regionY + HEAD;
  const nats = natRows(input);
  const igwMap = igwRows(t);
  for (const band of bands) {
    const igws = t.internetGateways.filter((g) => g.vpc === band.vpcId);
    // Tables start below the public subnets, so hosts there reach the IGW with one elbow.
    const publicBottom = Math.max(0, ...c.boxes.filter((b) => b.kind === 'subnet' && b.data.tone === 'public' && overlaps(b, band.vpcRect)).map((b) => bottom(b)));
    let ty = Math.max(band.igwCy + ICON / 2 + 2 * LINE + 50, publicBottom + 24);
    igws.forEach((igw, i) => {
      const { rect, anchor } = nodeRect(sideX + 60 + i * 130, band.igwCy - ICON / 2, 1);
      c.add('internet-gateway', igw.id, rect, { label: igw.id }, anchor);
    });
    for (const nat of t.natGateways.filter((n) => n.vpc === band.vpcId)) {
      const rows = nats.filter((r) => r.nat === nat.id);
      const observed = rows.some((r) => r.observedPort !== undefined);
      const cells = rows.map((r) => [r.insideIp, r.insidePort, r.observedIp ?? r.outsideIp, r.observedPort ?? r.predictedPort]);
      const data = table(`NAT translation table ${nat.id} (${observed ? 'observed' : 'predicted'})`, ['inside IP', 'source port', 'outside IP', 'source port'], cells.length ? cells : [['-', '-', '-', '-']], 'nat', { outsideColumns: [2, 3] });
      c.add('nat-table', `nat-table-${nat.id}`, { x: sideX, y: ty, w: natTableW, h: tableHeight(data.rows.length) }, data);
      ty += tableHeight(data.rows.length) + 24;
    }
    for (const igw of igws) {
      const rows = igwMap.filter((r) => r.igw === igw.id);
      const data = table(`1:1 source NAT ${igw.id}`, ['owner', 'private IP', 'public IP'], rows.length ? rows.map((r) => [r.owner, r.privateIp, r.publicIp]) : [['-', '-', '-']], 'igw', { widths: [0.44, 0.28, 0.28], outsideColumns: [2] });
      c.add('igw-table', `igw-table-${igw.id}`, { x: sideX, y: ty, w: 380, h: tableHeight(data.rows.length) }, data);
      ty += tableHeight(data.rows.length) + 24;
    }
    sideBottom = Math.max(sideBottom, ty, band.vpcRect.y + band.height);
  }
  const regionRight = sideX + natTableW + PAD;
  const regionBottom = Math.max(sideBottom, y - 40 + PAD) + 10;
  c.boxes.splice(regionBoxIndex, 0, { kind: 'region', id: 'region', x: REGION_X, y: regionY, w: regionRight - REGION_X, h: regionBottom - regionY, data: { label: `Region ${t.region ?? ''}`.trim() } });

  // The internet and the servers, on the line the IGW sends along.
  const lineY = bands[0]?.igwCy ?? regionY + 120;
  const externals = t.hosts.filter((h) => !h.subnet);
  let rightEdge = regionRight;
  let belowRight = 0;
  if (externals.length > 0 || t.internetGateways.length > 0) {
    const cloudCx = regionRight + 90;
    const cloud = { x: cloudCx - 55, y: lineY - 30, w: 110, h: 60 };
    c.add('internet', 'internet', { x: cloud.x, y: cloud.y, w: cloud.w, h: cloud.h + 6 + LINE }, { label: 'Internet' }, cloud);
    rightEdge = right(cloud);
    let sy = lineY - 28;
    const serverCx = right(cloud) + 130;
    for (const h of externals) {
      const icon = { x: serverCx - 22, y: sy, w: 44, h: 56 };
      c.add('server', h.id, { x: serverCx - 70, y: sy, w: 140, h: 56 + 6 + 2 * LINE + 4 }, { label: h.name ?? h.id, ip: h.privateIp }, icon);
      sy += 56 + 2 * LINE + 60;
      rightEdge = Math.max(rightEdge, serverCx + 70);
    }
    const seen = serverRows(input);
    if (seen.length > 0) {
      const run = seen.some((r) => r.observed !== undefined);
      const data = table(run ? 'What the server saw (observed)' : 'What the server sees (predicted)', ['flow', 'source'], seen.map((r) => [r.flow, r.observed ?? r.predicted]), 'server', { widths: [0.3, 0.7], outsideColumns: [1] });
      const w = 300;
      const tx = Math.max(right(cloud) + 20, serverCx - w / 2);
      c.add('server-table', 'server-table', { x: tx, y: sy, w, h: tableHeight(data.rows.length) }, data);
      rightEdge = Math.max(rightEdge, tx + w);
      belowRight = sy + tableHeight(data.rows.length);
    }
  }

  placeRouteTables(c, t, walks);

  // Below the region: the clients' traffic (step 1's table) and any drop notes.
  const below = regionBottom + 30;
  const traffic = trafficRows(walks);
  const trafficData = table(`${[...new Set(traffic.map((r) => r.protocol))].join('/') || 'TCP'} traffic generated from the clients`, ['client', 'source IP', 'source port', 'destination IP', 'destination port'], traffic.map((r) => [r.client, r.srcIp, r.srcPort, r.dstIp, r.dstPort]), 'traffic', { outsideColumns: [3, 4] });
  const trafficW = 640;
  c.add('traffic-table', 'traffic-table', { x: REGION_X, y: below, w: trafficW, h: tableHeight(traffic.length) }, trafficData);
  let noteY = below;
  let bottomEdge = below + tableHeight(traffic.length);

  placeArrows(c, walks, bands[0]?.laneY ?? regionY + 17);
  associationArrows(c, t, bands[0]?.laneY ?? regionY + 17);
  placeSteps(c, walks);

  // One cross and one note per place and component: several flows stopped there share them.
  const groups = new Map<string, Array<ReturnType<typeof endsOf>[number] & { at?: string }>>();
  for (const e of walks.flatMap(endsOf)) {
    const at = dropBoxOf(c, e.end.component, pathOf(c, e.hops));
    const k = `${at}|${e.end.component}|${e.dropped}`;
    groups.set(k, [...(groups.get(k) ?? []), { ...e, at }]);
  }
  for (const group of groups.values()) {
    const { label, key, end, dropped, at } = group[0];
    const target = at ? c.get(at) : undefined;
    const title = `${group.map((g) => g.label).join(', ')} ${dropped ? 'dropped' : 'leaves the model'} at ${end.component}`;
    const lines = group.length === 1 ? wrap(end.reason, 52) : group.flatMap((g) => wrap(`${g.label}: ${g.end.reason}`, 52));
    const titleLines = wrap(title, 48);
    const note = c.add('drop-note', `drop-note-${key}`, { x: REGION_X + trafficW + 40, y: noteY, w: 400, h: 15 + titleLines.length * LINE + lines.length * LINE + 12 }, { title: titleLines.join('\n'), lines });
    noteY = bottom(note) + 16;
    bottomEdge = Math.max(bottomEdge, noteY);
    rightEdge = Math.max(rightEdge, right(note));
    if (target) {
      const arrival = c.arrows.find((a) => a.kind === 'dropped' && a.flows.includes(label));
      const mark = placeMarker(c, 'drop', `drop-${key}`, target, { component: end.component }, arrival?.points[arrival.points.length - 1]);
      const obstacles = c.leaves().filter((b) => b !== mark && b !== note);
      const noteEdge = { x: note.x, y: note.y + 4, w: 6, h: 22 };
      c.arrows.push({ kind: 'leader', flows: [label], points: route({ rect: mark, aim: center(mark) }, { rect: noteEdge, aim: center(noteEdge) }, obstacles, bands[0]?.laneY ?? regionY) });
    }
  }

  const maxRight = Math.max(rightEdge, ...c.boxes.map((b) => right(b)));
  const maxBottom = Math.max(bottomEdge, belowRight, ...c.boxes.map((b) => bottom(b)));
  return { width: Math.ceil(maxRight + MARGIN), height: Math.ceil(maxBottom + MARGIN), boxes: c.boxes, arrows: c.arrows };
}
