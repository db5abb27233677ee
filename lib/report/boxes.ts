/**
 * The vocabulary between layout and drawing: positioned boxes of known kinds and the arrows
 * between them. A new kind of box is one entry in `BoxDataByKind` plus one drawer in
 * `draw/index.ts` (the compiler insists on both).
 */

/** A point in SVG user units. */
export interface Point {
  /** Horizontal position. */
  readonly x: number;
  /** Vertical position. */
  readonly y: number;
}

/** An axis-aligned rectangle in SVG user units. */
export interface Rect {
  /** Left edge. */
  readonly x: number;
  /** Top edge. */
  readonly y: number;
  /** Width. */
  readonly w: number;
  /** Height. */
  readonly h: number;
}

/** A small table drawn inside the diagram (NAT table, 1:1 map, traffic, route table). */
export interface TableData {
  /** Title bar text. */
  readonly title: string;
  /** Column headings. */
  readonly columns: string[];
  /** Cells, one array per row. */
  readonly rows: string[][];
  /** Colour theme of the title bar. */
  readonly tone: 'nat' | 'igw' | 'traffic' | 'public' | 'private' | 'server';
  /** Relative column widths (sum 1); equal when absent. */
  readonly widths?: number[];
  /** Rows to emphasise (the route a walk matched). */
  readonly highlight?: number[];
  /** Columns whose heading is orange (outside / destination side, as in the article). */
  readonly outsideColumns?: number[];
}

/** What each kind of box carries for its drawer. */
export interface BoxDataByKind {
  region: { readonly label: string };
  vpc: { readonly label: string; readonly cidr: string };
  az: { readonly label: string };
  subnet: { readonly label: string; readonly cidr: string; readonly tone: 'public' | 'private' };
  'route-table': TableData;
  'nat-gateway': { readonly label: string; readonly ips: string[] };
  'nat-table': TableData;
  'internet-gateway': { readonly label: string };
  'igw-table': TableData;
  internet: { readonly label: string };
  server: { readonly label: string; readonly ip: string };
  'server-table': TableData;
  host: { readonly label: string; readonly ip: string; readonly publicIp?: string; readonly kind: string };
  'traffic-table': TableData;
  step: { readonly n: number };
  drop: { readonly component: string };
  /** `title` may hold several lines separated by a newline. */
  'drop-note': { readonly title: string; readonly lines: string[] };
}

export type BoxKind = keyof BoxDataByKind;

/** A positioned box of one kind. */
export interface Box<K extends BoxKind = BoxKind> extends Rect {
  /** What is drawn. */
  readonly kind: K;
  /** Unique within the diagram (component id, or a derived id for tables and markers). */
  readonly id: string;
  /** The kind's own data. */
  readonly data: BoxDataByKind[K];
  /** For icon boxes: the part arrows attach to (the icon without its labels). */
  readonly anchor?: Rect;
}

/** Any box, narrowed by `kind`. */
export type AnyBox = { [K in BoxKind]: Box<K> }[BoxKind];

/** Boxes that contain others; every other kind must not overlap its neighbours. */
export const CONTAINER_KINDS: ReadonlySet<BoxKind> = new Set<BoxKind>(['region', 'vpc', 'az', 'subnet']);

/** How an arrow is drawn: the packet's way out, its reply, a drop, or a plain association. */
export type ArrowKind = 'forward' | 'reply' | 'dropped' | 'association' | 'leader';

/** A polyline with an arrowhead at its end. */
export interface Arrow {
  /** Style. */
  readonly kind: ArrowKind;
  /** The flows that take this segment. */
  readonly flows: string[];
  /** "flow: header as it arrives", one per flow, for the tooltip. */
  readonly headers?: string[];
  /** Polyline points, start to end. */
  readonly points: Point[];
}

/** The laid-out picture. */
export interface Diagram {
  /** Canvas width. */
  readonly width: number;
  /** Canvas height. */
  readonly height: number;
  /** Boxes in drawing order (containers first). */
  readonly boxes: AnyBox[];
  /** Arrows, drawn above containers and below the other boxes. */
  readonly arrows: Arrow[];
}
