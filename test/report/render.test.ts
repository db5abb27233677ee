import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { PredictResult, RunResult } from '../../lib/model/types';
import { renderHtml, renderMarkdown, renderSvg } from '../../lib/report';
import { droppedPredict, multiAzPredict, seedLab, seedLabRed, seedPredict } from '../fixtures/report/build';

/** Parses strictly; throws with the parser's message when the XML is not well-formed. */
function parseXml(xml: string): Record<string, unknown> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed: ${valid.err.msg} at line ${valid.err.line}`);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml) as Record<string, unknown>;
}

/** Every string in the parsed tree (text and attribute values). */
function strings(node: unknown): string[] {
  if (typeof node === 'string' || typeof node === 'number') return [String(node)];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

/** The text content under an element, in document order per element kind (no attributes). */
function texts(node: unknown): string[] {
  if (typeof node === 'string' || typeof node === 'number') return [String(node)];
  if (Array.isArray(node)) return node.flatMap(texts);
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own = o.text !== undefined ? ([] as unknown[]).concat(o.text).map((t) => (typeof t === 'object' && t ? String((t as Record<string, unknown>)['#text'] ?? '') : String(t))) : [];
  const nested = Object.entries(o).filter(([k]) => k !== 'text' && !k.startsWith('@_') && k !== '#text').flatMap(([, v]) => texts(v));
  return [...own, ...nested];
}

/** The groups the SVG draws, with their kind and id and the text inside. */
function groups(svg: string): Array<{ kind: string; id: string; text: string[] }> {
  const tree = parseXml(svg) as { svg: { g: unknown } };
  const list = ([] as unknown[]).concat(tree.svg.g);
  return list.map((g) => {
    const node = g as Record<string, unknown>;
    return { kind: String(node['@_data-kind']), id: String(node['@_data-id']), text: texts(node) };
  });
}

/** A topology whose names try to break out of the markup. */
function hostile(): RunResult {
  const lab = seedLab();
  const evil = '<script>alert("x")</script>&<img src=x onerror=alert(1)>';
  const topology = { ...lab.topology, name: evil, hosts: lab.topology.hosts.map((h) => (h.id === 'client-a' ? { ...h, name: `a"'${evil}` } : h)) };
  const walks = lab.walks.map((w, i) => (i === 0 ? { ...w, hops: w.hops.map((h) => (h.action === 'filter' ? { ...h, matched: evil, detail: evil } : h)) } : w));
  return { ...lab, topology, walks, notes: [evil], compare: { ...lab.compare, flows: lab.compare.flows.map((f) => ({ ...f, checks: f.checks.map((c) => ({ ...c, observed: evil })) })) } };
}

describe('SVG diagram', () => {
  it('is well-formed XML and carries the run\'s addresses, ports and steps 1-8', () => {
    const svg = renderSvg(seedLab());
    const text = strings(parseXml(svg)).join('\n');
    for (const value of ['10.0.1.32', '10.0.1.123', '10.0.0.226', '3.224.9.52', '44.198.164.163', '32222', '27318', '10722', '8080', '10.0.1.0/24', 'nat-xxx', 'igw-yyy']) {
      expect(text).toContain(value);
    }
    const steps = groups(svg).filter((g) => g.kind === 'step').map((g) => Number(g.text[0]));
    expect([...new Set(steps)].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('shows the observed ports in the NAT table and what the server saw', () => {
    const g = groups(renderSvg(seedLab()));
    const nat = g.find((x) => x.kind === 'nat-table')!;
    expect(nat.text).toEqual(expect.arrayContaining(['27318', '10722', '10.0.0.226']));
    expect(g.find((x) => x.kind === 'server-table')!.text).toEqual(expect.arrayContaining(['3.224.9.52:27318', '3.224.9.52:10722', '203.0.113.10:32222']));
    expect(g.find((x) => x.kind === 'igw-table')!.text).toEqual(expect.arrayContaining(['10.0.0.226', '3.224.9.52']));
  });

  it('tells on each arrow, on hover, the header each flow arrives with', () => {
    const svg = renderSvg(seedPredict());
    expect(svg).toContain('<title>forward: client-a: 10.0.0.226:1024-65535 -&gt; 44.198.164.163:8080\nclient-b: 10.0.0.226:1024-65535 -&gt; 44.198.164.163:8080</title>');
    expect(svg).toContain('<title>reply: client-a: 44.198.164.163:8080 -&gt; 10.0.1.32:32222</title>');
  });

  it('shows a predicted range where nothing was observed', () => {
    const nat = groups(renderSvg(seedPredict())).find((x) => x.kind === 'nat-table')!;
    expect(nat.text).toContain('1024-65535');
    expect(nat.text).not.toContain('27318');
  });

  it('draws both AZs and both NAT Gateways of a multi-AZ VPC', () => {
    const g = groups(renderSvg(multiAzPredict()));
    expect(g.filter((x) => x.kind === 'az').map((x) => x.text[0])).toEqual(['Availability Zone us-east-1a', 'Availability Zone us-east-1b']);
    expect(g.filter((x) => x.kind === 'nat-gateway').map((x) => x.id).sort()).toEqual(['nat-a', 'nat-b']);
    expect(g.filter((x) => x.kind === 'nat-gateway').flatMap((x) => x.text)).toEqual(expect.arrayContaining(['EIP 198.51.100.7', 'EIP 198.51.100.8']));
  });

  it('draws a dropped flow to the component that dropped it, with the reason', () => {
    const input = droppedPredict();
    const svg = renderSvg(input);
    const g = groups(svg);
    expect(g.find((x) => x.kind === 'drop')).toBeDefined();
    const note = g.find((x) => x.kind === 'drop-note')!;
    expect(note.text[0]).toBe('client-a dropped at rtb-private');
    expect(note.text.slice(1).join(' ')).toBe(input.walks[0].dropped!.reason);
    expect(svg).toMatch(/class="arrow arrow-dropped"/);
  });

  it('escapes every name: hostile text stays text', () => {
    const svg = renderSvg(hostile());
    expect(() => parseXml(svg)).not.toThrow();
    expect(svg).not.toMatch(/<script|<img/i);
    expect(strings(parseXml(svg)).join('\n')).toContain('<script>alert("x")</script>');
  });
});

describe('HTML page', () => {
  const html = renderHtml(seedLab());

  it('is self-contained: no URL, no script, no external font or image', () => {
    // url(#id) points inside the page (arrowheads); anything else would reach out.
    expect(html).not.toMatch(/https?:|\/\/[a-z0-9]|url\((?!#)|@import|<script|<link|src=|xmlns/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('holds the diagram and every table with the run\'s values', () => {
    expect(html).toContain('<svg');
    for (const heading of ["Clients' traffic", 'NAT translation table', 'Internet Gateway 1:1 map', 'What the server saw', 'Checks', 'Packet walk, hop by hop', 'Stand-ins', 'Notes']) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    // Predicted beside observed in the NAT table.
    expect(html).toMatch(/<td class="ip">10\.0\.1\.32<\/td><td class="num">32222<\/td><td class="ip">10\.0\.0\.226<\/td><td class="num">1024-65535<\/td><td class="num">27318<\/td>/);
    expect(html).toContain('3.224.9.52:10722');
    expect(html).toContain('Reply path (delivered)');
    expect(html).toContain('198.51.100.52');
  });

  it('colours each check: all green for the lab run, one red for the failing one', () => {
    expect(html).toContain('all checks pass');
    expect(html).not.toContain('class="fail"');
    const red = renderHtml(seedLabRed());
    expect(red).toContain('a check failed');
    expect(red.match(/<tr class="fail">/g)).toHaveLength(2); // the check row and the server row
    expect(red).toMatch(/<tr class="fail"><td>direct<\/td><td>source port unchanged<\/td><td>32222<\/td><td>40001<\/td>/);
  });

  it('puts what the twin observed at each hop beside the prediction (a real `natlab lab --json` output)', () => {
    const twin = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'report', 'seed-lab-twin.json'), 'utf8')) as RunResult;
    const page = renderHtml(twin);
    const port = twin.translations.observed.find((t) => t.flow === 'client-a')!.outside.port;
    expect(page).toContain('<th>observed there</th>');
    // Hop 8 of client-a is the NAT's translation (step 3): a range predicted, one port observed.
    expect(page).toContain(`<td class="hdr changed">10.0.0.226:1024-65535 -&gt; 44.198.164.163:8080</td><td class="hdr seen-ok">tcp 10.0.0.226:${port} -&gt; 44.198.164.163:8080</td>`);
    expect(page).not.toContain('class="hdr seen-bad"');
    // The checks table summarises the passing per-hop checks and reads ranges as ranges.
    expect(page).not.toContain('forward hop 1 (step 1)');
    expect(page).toMatch(/<td>client-a<\/td><td>header observed at every hop<\/td><td>(\d+) hops as predicted<\/td><td>\1 of \1 as predicted<\/td>/);
    expect(page).toContain('<td>1024-65535 (distinct from client-b)</td>');
    const wrong = { ...twin, compare: { ...twin.compare, flows: twin.compare.flows.map((f) => ({ ...f, checks: f.checks.map((c) => (c.name.startsWith('forward hop 8 ') ? { ...c, ok: false } : c)) })) } };
    expect(renderHtml(wrong)).toContain('class="hdr seen-bad"');
  });

  it('shows a drop in the hop list with its reason', () => {
    const input = droppedPredict();
    const page = renderHtml(input);
    expect(page).toContain('<tr class="drop">');
    expect(page).toContain('1 flow(s) not delivered');
    expect(page).toContain('<td class="ip">dropped at rtb-private</td>');
    expect(page).toContain(input.walks[0].dropped!.reason);
  });

  it('escapes hostile names everywhere', () => {
    const page = renderHtml(hostile());
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;script&gt;');
  });
});

describe('Markdown', () => {
  function mermaidBlocks(md: string): string[] {
    return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  }

  it('has the tables with the run\'s values', () => {
    const md = renderMarkdown(seedLab());
    expect(md).toContain('| NAT Gateway | flow | inside IP | inside port | outside IP | outside port (predicted) | outside port (observed) | destination |');
    expect(md).toContain('| nat-xxx | client-a | 10.0.1.32 | 32222 | 10.0.0.226 | 1024-65535 | 27318 | 44.198.164.163:8080 |');
    expect(md).toContain('| igw-yyy | NAT-GW ENI nat-xxx | 10.0.0.226 | 3.224.9.52 |');
    expect(md).toContain('| client-b | 44.198.164.163:8080 | 3.224.9.52:1024-65535 | 3.224.9.52:10722 | pass |');
    expect(md).toContain('**All checks pass.**');
  });

  it('has one valid-looking Mermaid sequence diagram per walk', () => {
    const input: PredictResult = seedPredict();
    const blocks = mermaidBlocks(renderMarkdown(input));
    expect(blocks).toHaveLength(input.walks.length);
    const line = /^ {2}(participant P\d+ as [^;#<>]+|P\d+(->>|-->>|-x)P\d+: [^;#<>]+|Note over P\d+: [^;#<>]+)$/;
    for (const block of blocks) {
      const [first, ...rest] = block.split('\n');
      expect(first).toBe('sequenceDiagram');
      for (const l of rest) expect(l).toMatch(line);
      // Every participant a message uses is declared.
      const declared = new Set(rest.filter((l) => l.includes('participant')).map((l) => l.trim().split(' ')[1]));
      for (const l of rest.filter((x) => !x.includes('participant'))) for (const p of l.match(/P\d+/g) ?? []) expect(declared.has(p)).toBe(true);
    }
    const a = blocks[0];
    expect(a).toContain('participant P1 as client-a (host)');
    expect(a).toMatch(/P\d+->>P\d+: \(2\) 10\.0\.1\.32:32222 → 44\.198\.164\.163:8080/);
    expect(a).toMatch(/Note over P\d+: \(3\) nat-xxx translates to 10\.0\.0\.226:1024-65535 → 44\.198\.164\.163:8080/);
    expect(a).toMatch(/P\d+-->>P\d+: /);
  });

  it('says what a real run saw at each translation, and summarises its per-hop checks', () => {
    const twin = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'report', 'seed-lab-twin.json'), 'utf8')) as RunResult;
    const md = renderMarkdown(twin);
    const port = twin.translations.observed.find((t) => t.flow === 'client-a')!.outside.port;
    expect(md).toContain(`Note over P2: (3) nat-xxx translates to 10.0.0.226:1024-65535 → 44.198.164.163:8080 (seen: tcp 10.0.0.226:${port} → 44.198.164.163:8080)`);
    expect(md).toMatch(/\| client-a \| header observed at every hop \| (\d+) hops as predicted \| \1 of \1 as predicted \| ✅ pass \|/);
    expect(md).not.toContain('forward hop 1 (step 1)');
  });

  it('draws a drop as a lost message with its reason', () => {
    const md = renderMarkdown(droppedPredict());
    expect(md).toMatch(/P\d+-xP\d+: \(1\) 10\.0\.1\.32:32222 → 44\.198\.164\.163:8080/);
    expect(md).toContain('dropped: ');
  });

  it('keeps hostile text out of the markup', () => {
    const md = renderMarkdown(hostile());
    expect(md).not.toMatch(/<script|<img/i);
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('  Note over P1: (1) sg-clients: script alert("x") /script & img src=x onerror=alert(1)\n');
    for (const block of mermaidBlocks(md)) for (const l of block.split('\n').slice(1)) expect(l.slice(l.indexOf(':') + 1)).not.toMatch(/[<>;#]/);
  });
});
