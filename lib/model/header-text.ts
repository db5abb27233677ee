/** How headers, ports and ICMP messages read in sentences, and when two port predictions are the same. */
import type { Header, PortPrediction } from './types';

/** Formats an address and port prediction: "10.0.0.226:<1024-65535>", "10.0.1.32:32222". */
export function endpointText(ip: string, port: PortPrediction): string {
  return `${ip}:${portText(port)}`;
}

/** Formats a port prediction: "32222" or "<1024-65535>". */
export function portText(port: PortPrediction): string {
  return 'exact' in port ? String(port.exact) : `<${port.min}-${port.max}>`;
}

/** ICMP message names the model speaks of (echo request 8, echo reply 0). */
const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'echo-reply', 8: 'echo-request' };

/**
 * Names an ICMP message: "echo-request", "echo-reply", "type 3 code 4"; an echo with an
 * unusual code keeps it ("echo-request code 1").
 */
export function icmpMessageText(icmp: { readonly type: number; readonly code: number }): string {
  const name = ICMP_TYPE_NAMES[icmp.type];
  if (name === undefined) return `type ${icmp.type} code ${icmp.code}`;
  return icmp.code === 0 ? name : `${name} code ${icmp.code}`;
}

/**
 * The ICMP echo identifier of a header: the source "port" of a request, the destination "port"
 * of a reply (undefined for TCP, UDP and other ICMP messages).
 */
export function echoIdentifier(h: Header): PortPrediction | undefined {
  if (h.protocol !== 'icmp' || h.icmp === undefined) return undefined;
  if (h.icmp.type === 8) return h.srcPort;
  if (h.icmp.type === 0) return h.dstPort;
  return undefined;
}

/**
 * The source of a header as a person reads it: "10.0.1.32:32222" for TCP and UDP, "10.0.1.32
 * id 4711" for an ICMP echo request (the identifier), the bare address for an ICMP reply.
 */
export function sourceText(h: Header): string {
  if (h.protocol !== 'icmp') return endpointText(h.srcIp, h.srcPort);
  return h.icmp?.type === 8 ? `${h.srcIp} id ${portText(h.srcPort)}` : h.srcIp;
}

/** The destination of a header as a person reads it (see `sourceText`): the identifier sits on a reply's destination. */
export function destinationText(h: Header): string {
  if (h.protocol !== 'icmp') return endpointText(h.dstIp, h.dstPort);
  return h.icmp?.type === 0 ? `${h.dstIp} id ${portText(h.dstPort)}` : h.dstIp;
}

/** The protocol of a header, with the ICMP message: "tcp", "icmp echo-request". */
export function protocolText(h: Header): string {
  return h.protocol === 'icmp' && h.icmp !== undefined ? `icmp ${icmpMessageText(h.icmp)}` : h.protocol;
}

/**
 * Formats a header: "tcp 10.0.1.32:32222 -> 44.198.164.163:8080", "icmp echo-request 10.0.1.32
 * id 4711 -> 8.8.8.8", "icmp echo-reply 8.8.8.8 -> 10.0.1.32 id <1024-65535>".
 */
export function headerText(h: Header): string {
  return `${protocolText(h)} ${sourceText(h)} -> ${destinationText(h)}`;
}

/** True when two port predictions denote the same value (same exact port or same range). */
export function samePort(a: PortPrediction, b: PortPrediction): boolean {
  if ('exact' in a) return 'exact' in b && a.exact === b.exact;
  return !('exact' in b) && a.min === b.min && a.max === b.max;
}
