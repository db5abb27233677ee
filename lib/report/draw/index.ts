/**
 * The drawing step: one function per kind of box, registered here. A new kind of box is one
 * entry in `BoxDataByKind` (../boxes.ts), one drawer below, and its placement in ../layout.ts.
 */
import type { AnyBox, Box, BoxKind } from '../boxes';
import { drawAz, drawRegion, drawSubnet, drawVpc } from './containers';
import { drawHost, drawInternet, drawInternetGateway, drawNatGateway, drawServer } from './icons';
import { drawDrop, drawDropNote, drawStep } from './markers';
import { drawTable } from './tables';

/** Draws one box as SVG elements (no wrapping group; svg.ts adds it). */
export type Drawer<K extends BoxKind> = (box: Box<K>) => string;

/** Every kind of box and how it looks. */
export const drawers: { readonly [K in BoxKind]: Drawer<K> } = {
  region: drawRegion,
  vpc: drawVpc,
  az: drawAz,
  subnet: drawSubnet,
  'route-table': drawTable,
  'nat-gateway': drawNatGateway,
  'nat-table': drawTable,
  'internet-gateway': drawInternetGateway,
  'igw-table': drawTable,
  internet: drawInternet,
  server: drawServer,
  'server-table': drawTable,
  host: drawHost,
  'traffic-table': drawTable,
  step: drawStep,
  drop: drawDrop,
  'drop-note': drawDropNote,
};

/** Draws a box with the drawer registered for its kind. */
export function drawBox(box: AnyBox): string {
  return (drawers[box.kind] as Drawer<BoxKind>)(box);
}
