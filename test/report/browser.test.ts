/**
 * The page as a reader sees it: rendered by Debian's Chromium (headless, no network), every
 * drawn box visible, inside the picture, apart from the others, and really painted on the
 * screenshot. Chromium is a prerequisite (.ci/run installs it); without it this test fails.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { renderHtml } from '../../lib/report';
import type { ReportInput } from '../../lib/report/view';
import { multiAzPredict, seedLab } from '../fixtures/report/build';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Drawn {
  kind: string;
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The icon of a component box (markers sit beside it, never on it). */
  icon: { x: number; y: number; w: number; h: number } | null;
  text: string;
}

const CONTAINERS = new Set(['region', 'vpc', 'az', 'subnet']);

// Launching Chromium on a busy 2-core machine takes a while; nothing here is timed.
jest.setTimeout(180_000);

let profile: string;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(tmpdir(), 'natlab-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1700, height: 1000 }, deviceScaleFactor: 1, offline: true });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A new page showing `html`; every request it makes is recorded in `requests` and refused. */
async function openHtml(html: string): Promise<{ page: Page; requests: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests };
}

/**
 * Opens a report, measures its boxes and photographs its picture. The page must need nothing
 * from anywhere: every open checks that it asked the network for nothing.
 */
async function open(input: ReportInput, extraCss?: string): Promise<{ page: Page; drawn: Drawn[]; png: PNG; svg: { x: number; y: number; w: number; h: number }; requests: string[] }> {
  const { page, requests } = await openHtml(renderHtml(input));
  if (extraCss) await page.addStyleTag({ content: extraCss });
  const result: { drawn: Drawn[]; svg: { x: number; y: number; w: number; h: number } } = await page.evaluate(() => {
    const rect = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + window.scrollX, y: r.y + window.scrollY, w: r.width, h: r.height };
    };
    const svg = document.querySelector('figure svg')!;
    const drawn = Array.from(svg.querySelectorAll('g.box')).map((g) => {
      const icon = g.querySelector(':scope > g');
      return { kind: g.getAttribute('data-kind')!, id: g.getAttribute('data-id')!, ...rect(g), icon: icon ? rect(icon) : null, text: g.textContent ?? '' };
    });
    return { drawn, svg: rect(svg) };
  });
  // Only the picture is photographed; coordinates below are shifted into the shot.
  const png = PNG.sync.read(await page.screenshot({ fullPage: true, clip: { x: result.svg.x, y: result.svg.y, width: result.svg.w, height: result.svg.h } }));
  const shift = <T extends { x: number; y: number }>(r: T): T => ({ ...r, x: r.x - result.svg.x, y: r.y - result.svg.y });
  result.drawn = result.drawn.map((d) => ({ ...shift(d), icon: d.icon ? shift(d.icon) : null }));
  result.svg = shift(result.svg);
  if (process.env.NATLAB_KEEP_SHOTS) writeFileSync(join(process.env.NATLAB_KEEP_SHOTS, `${input.topology.name}.png`), PNG.sync.write(png));
  expect(requests).toEqual([]);
  return { page, png, requests, ...result };
}

function overlap(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }, slack = 0.5): boolean {
  return a.x + slack < b.x + b.w && b.x + slack < a.x + a.w && a.y + slack < b.y + b.h && b.y + slack < a.y + a.h;
}

/** Share of the pixels inside a rectangle that are not the white background. */
function inked(png: PNG, r: { x: number; y: number; w: number; h: number }): number {
  let ink = 0;
  let all = 0;
  for (let y = Math.max(0, Math.floor(r.y)); y < Math.min(png.height, Math.ceil(r.y + r.h)); y++) {
    for (let x = Math.max(0, Math.floor(r.x)); x < Math.min(png.width, Math.ceil(r.x + r.w)); x++) {
      const i = (y * png.width + x) * 4;
      all++;
      if (png.data[i] < 235 || png.data[i + 1] < 235 || png.data[i + 2] < 235) ink++;
    }
  }
  return all === 0 ? 0 : ink / all;
}

/** Pixels close to a colour anywhere in a rectangle (arrows are thin lines). */
function pixelsOf(png: PNG, hex: string, r: { x: number; y: number; w: number; h: number }): number {
  const [cr, cg, cb] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  let n = 0;
  for (let y = Math.max(0, Math.floor(r.y)); y < Math.min(png.height, Math.ceil(r.y + r.h)); y++) {
    for (let x = Math.max(0, Math.floor(r.x)); x < Math.min(png.width, Math.ceil(r.x + r.w)); x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - cr) + Math.abs(png.data[i + 1] - cg) + Math.abs(png.data[i + 2] - cb) < 40) n++;
    }
  }
  return n;
}

function attachedTo(marker: Drawn): string | undefined {
  return marker.kind === 'step' ? marker.id.split('@')[1] : undefined;
}

function checkPicture(drawn: Drawn[], svg: Drawn | { x: number; y: number; w: number; h: number }, png: PNG): void {
  expect(drawn.length).toBeGreaterThan(10);
  for (const d of drawn) {
    // Visible, with a size, inside the picture.
    expect({ id: d.id, visible: d.w > 2 && d.h > 2 }).toEqual({ id: d.id, visible: true });
    expect({ id: d.id, inside: d.x >= svg.x - 1 && d.y >= svg.y - 1 && d.x + d.w <= svg.x + svg.w + 1 && d.y + d.h <= svg.y + svg.h + 1 }).toEqual({ id: d.id, inside: true });
    // Painted: the screenshot differs from the white background where the box is.
    const share = inked(png, d);
    expect({ id: d.id, painted: share > (CONTAINERS.has(d.kind) ? 0.2 : 0.03) }).toEqual({ id: d.id, painted: true });
  }
  const leaves = drawn.filter((d) => !CONTAINERS.has(d.kind));
  const clashes: string[] = [];
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      const [a, b] = [leaves[i], leaves[j]];
      if (!overlap(a, b)) continue;
      // A marker may sit in the room left for its own component's labels, never on its icon.
      const marker = attachedTo(a) === b.id ? a : attachedTo(b) === a.id ? b : a.kind === 'drop' ? a : b.kind === 'drop' ? b : undefined;
      const other = marker === a ? b : a;
      if (marker && other.icon && !overlap(marker, other.icon)) continue;
      clashes.push(`${a.kind} ${a.id} / ${b.kind} ${b.id}`);
    }
  }
  expect(clashes).toEqual([]);
}

describe('the HTML report in headless Chromium', () => {
  it('draws the seed run: every box visible and apart, steps 1-8, the observed ports, both arrow colours', async () => {
    const { page, drawn, png, svg } = await open(seedLab());
    checkPicture(drawn, svg, png);
    const steps = drawn.filter((d) => d.kind === 'step').map((d) => Number(d.text));
    expect([...new Set(steps)].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const id of ['nat-xxx', 'igw-yyy', 'internet', 'server', 'client-a', 'client-b', 'direct', 'rtb-public', 'rtb-private', 'subnet-public', 'subnet-private', 'vpc-lab']) {
      expect(drawn.map((d) => d.id)).toContain(id);
    }
    const nat = drawn.find((d) => d.kind === 'nat-table')!;
    expect(nat.text).toMatch(/10\.0\.1\.3232222\s*10\.0\.0\.22627318/);
    expect(nat.text).toMatch(/10\.0\.1\.12332222\s*10\.0\.0\.22610722/);
    expect(drawn.find((d) => d.kind === 'server')!.text).toContain('44.198.164.163');
    // The way out in green and the reply in red are really on the screen.
    expect(pixelsOf(png, '#0b8f3a', svg)).toBeGreaterThan(200);
    expect(pixelsOf(png, '#d9261c', svg)).toBeGreaterThan(200);
    // The tables below the picture are rendered too.
    expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(["Clients' traffic", 'NAT translation table', 'Internet Gateway 1:1 map', 'What the server saw', 'Checks']));
    await page.close();
  });

  it('draws a multi-AZ VPC: both AZ columns, both NAT Gateways and their tables', async () => {
    const { page, drawn, png, svg } = await open(multiAzPredict());
    checkPicture(drawn, svg, png);
    const azs = drawn.filter((d) => d.kind === 'az');
    expect(azs).toHaveLength(2);
    expect(azs[1].x).toBeGreaterThan(azs[0].x + azs[0].w);
    const nats = drawn.filter((d) => d.kind === 'nat-gateway');
    expect(nats.map((d) => d.id).sort()).toEqual(['nat-a', 'nat-b']);
    expect(nats.every((n) => azs.some((az) => n.x >= az.x && n.x + n.w <= az.x + az.w))).toBe(true);
    expect(drawn.filter((d) => d.kind === 'nat-table')).toHaveLength(2);
    await page.close();
  });

  it('notices a box that is laid out but not painted', async () => {
    const { page, drawn, png } = await open(seedLab(), 'g[data-kind="nat-table"] { visibility: hidden; }');
    const nat = drawn.find((d) => d.kind === 'nat-table')!;
    expect(inked(png, nat)).toBeLessThan(0.03);
    expect(inked(png, drawn.find((d) => d.kind === 'igw-table')!)).toBeGreaterThan(0.03);
    await page.close();
  });

  it('asks the network for nothing, and a page that does ask is noticed', async () => {
    const report = await open(seedLab());
    await report.page.waitForLoadState('networkidle');
    expect(report.requests).toEqual([]);
    await report.page.close();
    // The recording works: a page with an outside image is caught (and refused, never sent).
    const control = await openHtml('<!doctype html><img src="http://192.0.2.1/logo.png"><link rel="stylesheet" href="http://192.0.2.1/x.css">');
    expect(control.requests.sort()).toEqual(['http://192.0.2.1/logo.png', 'http://192.0.2.1/x.css']);
    await control.page.close();
  });
});
