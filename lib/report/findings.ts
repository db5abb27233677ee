/**
 * `natlab findings` for people: what was walked, the reachability matrix (or one line per
 * sender when the matrix would be too wide to read), then the faults grouped by cause, each
 * with the flows it breaks and the first of their reasons.
 */
import type { FindingCause, FindingFlow, FindingsResult } from '../model/findings';
import { alignColumns } from './columns';

/** Matrices wider than this many destinations become one summary line per sender. */
const MATRIX_MAX_COLUMNS = 12;
/** Flows listed by name under each fault before "and N more". */
const FLOWS_LISTED = 6;

const MARK: Record<string, string> = { delivered: '✓', dropped: '✗', reply: '↩', 'left-model': '?' };

function mark(flow: FindingFlow | undefined): string {
  if (!flow) return '-';
  if (flow.verdict === 'dropped' && flow.dropped?.path === 'reply') return MARK.reply;
  return MARK[flow.verdict];
}

/** "tcp/22", "icmp echo". */
export function flowService(flow: Pick<FindingFlow, 'protocol' | 'port'>): string {
  return flow.protocol === 'icmp' ? 'icmp echo' : `${flow.protocol}/${flow.port}`;
}

function flowText(flow: FindingFlow): string {
  return `${flow.from} -> ${flow.to} ${flowService(flow)}`;
}

function matrix(result: FindingsResult, byPair: Map<string, FindingFlow[]>): string[] {
  const header = ['from \\ to', ...result.destinations];
  const rows = result.hosts.map((from) => [
    from,
    ...result.destinations.map((to) => (to === from ? '·' : result.protocols.map((p) => mark(byPair.get(`${from}\u0000${to}`)?.find((f) => f.protocol === p))).join(''))),
  ]);
  return alignColumns([header, ...rows], '  ');
}

function summaries(result: FindingsResult, flows: readonly FindingFlow[]): string[] {
  const bySender = new Map<string, FindingFlow[]>();
  for (const f of flows) {
    const list = bySender.get(f.from);
    if (list) list.push(f);
    else bySender.set(f.from, [f]);
  }
  const rows = result.hosts.map((from) => {
    const own = bySender.get(from) ?? [];
    const internet = result.protocols.map((p) => mark(own.find((f) => f.to === 'internet' && f.protocol === p))).join('');
    const hosts = result.protocols.map((p) => {
      const list = own.filter((f) => f.to !== 'internet' && f.protocol === p);
      return `${p} ${list.filter((f) => f.verdict === 'delivered').length}/${list.length}`;
    });
    return [from, `internet ${internet}`, `hosts reached: ${hosts.join(', ')}`];
  });
  return alignColumns(rows, '  ');
}

/** One cause: the fault, the flows it breaks, and the first flow's own reason. */
function causeLines(cause: FindingCause, n: number): string[] {
  const where = cause.paths.length === 2 ? 'requests and replies' : cause.paths[0] === 'reply' ? 'on the reply path' : 'the request';
  const listed = cause.flows.slice(0, FLOWS_LISTED).map(flowText).join(', ');
  const more = cause.flows.length > FLOWS_LISTED ? `, and ${cause.flows.length - FLOWS_LISTED} more` : '';
  return [
    `${String(n).padStart(3)}. ${cause.fault}`,
    `     breaks ${cause.flows.length} flow${cause.flows.length === 1 ? '' : 's'} (${where}, at ${cause.component}): ${listed}${more}`,
    `     first: ${flowText(cause.flows[0])}: ${cause.flows[0].dropped!.reason}`,
  ];
}

/** The whole report as text. */
export function renderFindings(result: FindingsResult): string {
  const flows = result.flows;
  const count = (v: string) => flows.filter((f) => f.verdict === v).length;
  const replyDrops = flows.filter((f) => f.dropped?.path === 'reply').length;
  const services = (port: number) => result.protocols.map((protocol) => flowService({ protocol, port })).join(', ');
  const lines: string[] = [
    `natlab findings: ${result.topology} (${result.source})`,
    `${flows.length} flows walked, each with its reply: every host to the internet (${result.internet.ip}: ${services(result.internet.port)}) and to every other host (${services(result.hostPort)}; a host the topology's flows reach on another port is tried on that port), and the internet to every host with a public IP.`,
    `${count('delivered')} delivered, ${count('dropped')} dropped (${replyDrops} of them on the reply path), ${count('left-model')} the model cannot decide.`,
    '',
  ];
  const byPair = new Map<string, FindingFlow[]>();
  for (const f of flows) {
    const key = `${f.from}\u0000${f.to}`;
    const list = byPair.get(key);
    if (list) list.push(f);
    else byPair.set(key, [f]);
  }
  const legend = `${result.protocols.join(' then ')} in each cell; ✓ delivered, ✗ dropped, ↩ the reply is dropped, ? the model cannot decide, - not walked (no public IP)`;
  if (result.destinations.length <= MATRIX_MAX_COLUMNS) {
    lines.push(`Reachability (rows send, columns receive; ${legend}):`, ...matrix(result, byPair));
  } else {
    lines.push(`Reachability by sender (${result.destinations.length - 1} hosts: too many columns for a matrix; --json lists every flow; ${legend}):`, ...summaries(result, flows));
  }
  lines.push('');
  // A receiver's group admitting only what it serves is usually policy, not breakage: listed
  // after the faults, so the network's own faults come first.
  const faults = result.causes.filter((c) => c.stage !== 'security-group-ingress');
  const refusals = result.causes.filter((c) => c.stage === 'security-group-ingress');
  if (result.causes.length === 0) {
    lines.push('No faults: every flow walked is delivered and its reply comes back.');
  } else {
    lines.push(faults.length ? `Faults, grouped by cause (${faults.length}):` : 'Faults: none in routes, network ACLs, outbound security group rules, NAT or internet gateways.');
    faults.forEach((cause, i) => lines.push(...causeLines(cause, i + 1)));
    if (refusals.length) {
      lines.push('', `Refused by the receiver's security group (${refusals.length}; intended policy, or a missing rule for the port tried):`);
      refusals.forEach((cause, i) => lines.push(...causeLines(cause, faults.length + i + 1)));
    }
  }
  const unknown = flows.filter((f) => f.verdict === 'left-model');
  if (unknown.length > 0) {
    lines.push('', `The model cannot decide ${unknown.length} flow${unknown.length === 1 ? '' : 's'}; the first: ${flowText(unknown[0])}: ${unknown[0].leftModel?.reason ?? ''}`);
  }
  return lines.join('\n');
}
