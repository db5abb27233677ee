/**
 * Human renderings of walks and predictions: the hop list numbered like the article's eight
 * steps (what each component looked up or rewrote, header before -> after), the reply path,
 * then the short answer ("the server sees 3.224.9.52:<1024-65535>, a port chosen by nat-... per
 * connection").
 */
import { endpointText, headerText, portText, samePort } from '../model/header-text';
import type { Hop, PortPrediction, PredictResult, Protocol, Walk } from '../model/types';

/** An address with its port, or with its echo identifier for ICMP ("10.0.1.32 id 4711"). */
function endpoint(protocol: Protocol, ip: string, port: PortPrediction): string {
  return protocol === 'icmp' ? `${ip} id ${portText(port)}` : endpointText(ip, port);
}

/** Short titles of the article's eight steps. */
export const STEP_TITLES: Readonly<Record<number, string>> = {
  1: 'the sender routes the packet (its default gateway, then its subnet route table)',
  2: "the NAT gateway's ENI receives it",
  3: 'the NAT gateway translates the source and routes by its own subnet route table',
  4: "the internet gateway's 1:1 static NAT (ports untouched)",
  5: 'across the internet',
  6: 'the destination receives it and replies',
  7: 'the internet gateway maps the reply back and routes it locally',
  8: 'back to the sender (the NAT gateway reverse-translates, local route)',
};

function renderHops(hops: Hop[], indent: string): string[] {
  const lines: string[] = [];
  let step: number | undefined;
  for (const hop of hops) {
    if (hop.step !== undefined && hop.step !== step) {
      step = hop.step;
      lines.push(`${indent}step ${step}: ${STEP_TITLES[step] ?? ''}`);
    }
    const name = hop.component.name && hop.component.name !== hop.component.id ? ` (${hop.component.name})` : '';
    lines.push(`${indent}  ${String(hop.index).padStart(2)}. ${hop.component.kind} ${hop.component.id}${name}: ${hop.action}`);
    lines.push(`${indent}      ${hop.detail}`);
    if (hop.matched) lines.push(`${indent}      matched: ${hop.matched}`);
    const before = headerText(hop.before);
    const after = headerText(hop.after);
    lines.push(before === after ? `${indent}      ${before}` : `${indent}      ${before}  =>  ${after}`);
  }
  return lines;
}

function destinationName(w: Walk): string {
  const last = w.hops[w.hops.length - 1];
  if (!last || last.action !== 'deliver') return w.flow.to.ip;
  if (last.component.kind === 'server') return 'the server';
  return last.component.name ?? last.component.id;
}

/**
 * The network ACLs that let only part of a port range through (the walk goes on with the port
 * narrowed), and the range that remains after the last of them; undefined when none did.
 */
function narrowings(hops: readonly Hop[]): { port: PortPrediction; where: string[] } | undefined {
  let found: { port: PortPrediction; where: string[] } | undefined;
  for (const hop of hops) {
    if (hop.component.kind !== 'network-acl' || hop.action !== 'filter' || samePort(hop.before.dstPort, hop.after.dstPort)) continue;
    found = { port: hop.after.dstPort, where: [...(found?.where ?? []), hop.component.id] };
  }
  return found;
}

/** The short answer of a walk: what the destination sees and who chose it, or where it stopped. */
export function shortAnswer(w: Walk): string {
  if (w.verdict === 'dropped') return `dropped at ${w.dropped?.component}: ${w.dropped?.reason}`;
  if (w.verdict === 'left-model') return `${w.leftModel?.reason ?? 'leaves the model'} (at ${w.leftModel?.component}); the model does not guess beyond it`;
  const seen = w.observedAtDestination!;
  const who = destinationName(w);
  const icmp = w.flow.protocol === 'icmp';
  const text = endpoint(w.flow.protocol, seen.srcIp, seen.srcPort);
  const [port, per] = icmp ? ['identifier', 'echo query'] : ['port', 'connection'];
  const nat = (w.translations ?? []).filter((t) => t.outside.port === seen.srcPort || samePort(t.outside.port, seen.srcPort)).pop();
  let answer: string;
  if (nat && !('exact' in seen.srcPort)) {
    answer = `${who} sees ${text}, ${icmp ? 'an identifier' : 'a port'} chosen by ${nat.component} per ${per}`;
    if (seen.srcPort.distinctFrom?.length) answer += `, distinct from ${seen.srcPort.distinctFrom.join(', ')}'s`;
  } else if (nat) {
    answer = `${who} sees ${text}, the ${port} ${nat.component} allocated for this ${per}`;
  } else if (samePort(seen.srcPort, w.flow.from.port)) {
    answer = `${who} sees ${text}, unchanged${seen.srcIp === w.flow.from.ip ? '' : ` (the ${port} survives; only the address was mapped 1:1 from ${w.flow.from.ip})`}`;
  } else {
    answer = `${who} sees ${text}`;
  }
  if (w.reply) {
    const narrowed = narrowings(w.reply.hops);
    if (w.reply.verdict === 'delivered' && narrowed) {
      const ports = 'exact' in narrowed.port ? String(narrowed.port.exact) : `${narrowed.port.min}-${narrowed.port.max}`;
      answer += `; the reply gets back only for connections whose port is in ${ports}: the rest are dropped at ${narrowed.where.join(', ')}`;
    } else if (w.reply.verdict === 'delivered') answer += '; the reply gets back';
    else if (w.reply.verdict === 'dropped') answer += `; but the reply is dropped at ${w.reply.dropped?.component}: ${w.reply.dropped?.reason}`;
    else answer += `; the reply ${w.reply.leftModel?.reason ?? 'leaves the model'}`;
  }
  return answer;
}

/** Renders one walk: forward hops, reply hops, translations and the short answer. */
export function renderWalk(w: Walk): string {
  const lines: string[] = [];
  const sender = w.flow.from.host === w.flow.from.ip ? '' : `${w.flow.from.host} `;
  const to = w.flow.protocol === 'icmp' ? w.flow.to.ip : `${w.flow.to.ip}:${w.flow.to.port}`;
  const what = w.flow.protocol === 'icmp' ? 'icmp echo' : w.flow.protocol;
  lines.push(`walk ${w.flow.name}: ${what} ${sender}${endpoint(w.flow.protocol, w.flow.from.ip, w.flow.from.port)} -> ${to}  [${w.verdict}]`);
  lines.push(...renderHops(w.hops, '  '));
  if (w.reply) {
    lines.push(`  reply  [${w.reply.verdict}]`);
    lines.push(...renderHops(w.reply.hops, '  '));
  }
  for (const t of w.translations ?? []) {
    const destination = t.protocol === 'icmp' ? t.destination.ip : `${t.destination.ip}:${t.destination.port}`;
    lines.push(`  translation (${t.component}): ${t.protocol} ${endpoint(t.protocol, t.inside.ip, t.inside.port)} <-> ${endpoint(t.protocol, t.outside.ip, t.outside.port)} for ${destination}`);
  }
  lines.push(`  => ${shortAnswer(w)}`);
  return lines.join('\n');
}

/** Renders a prediction: every walk, then one answer line per flow. */
export function renderPrediction(result: PredictResult): string {
  const parts = [`prediction for ${result.topology.name} (${result.topology.source}): ${result.walks.length} flow(s)`, ''];
  for (const w of result.walks) parts.push(renderWalk(w), '');
  parts.push('answers:');
  const width = Math.max(...result.walks.map((w) => w.flow.name.length), 4);
  for (const w of result.walks) parts.push(`  ${w.flow.name.padEnd(width)}  ${shortAnswer(w)}`);
  return parts.join('\n');
}
