/** `natlab walk`: one packet, hop by hop, forward and reply (DESIGN.md section 4). */
import { Command, Option } from 'commander';
import { InputError } from '../errors';
import type { Topology } from '../model/types';
import { type TopologySourceOptions, action, addTopologyOptions, loadTopologyFrom, printJson, writeStdout } from './common';

interface WalkCliOptions extends TopologySourceOptions {
  from: string;
  to: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  public?: boolean;
  json?: boolean;
}

/** Splits "HOST[:PORT]" at its last colon; the port must be a number 0-65535 when given. */
export function splitHostPort(value: string, flag: string, portRequired: boolean): { host: string; port?: number } {
  // An IPv6 address may be bracketed, as in URLs: [2001:db8::1]:443.
  if (value.startsWith('[') && value.includes(']')) {
    const end = value.indexOf(']');
    const rest = value.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new InputError(`${flag} "${value}" must be [IPv6]:PORT`);
    const host = value.slice(1, end);
    if (rest === '') {
      if (portRequired) throw new InputError(`${flag} "${value}" needs a port ([IPv6]:PORT, like [2001:db8::1]:443)`);
      return { host };
    }
    const port = rest.slice(1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new InputError(`${flag} "${value}" has port "${port}"; it must be a number 0-65535`);
    return { host, port: Number(port) };
  }
  // An address known only after deploy (`<Fn::GetAtt X.PublicIp>`) may itself hold colons.
  const closing = value.startsWith('<') ? value.indexOf('>') : -1;
  const colon = closing >= 0 ? (value[closing + 1] === ':' ? closing + 1 : -1) : value.lastIndexOf(':');
  if (colon <= 0) {
    if (portRequired) throw new InputError(`${flag} "${value}" needs a port (HOST:PORT, like 44.198.164.163:8080)`);
    if (value.length === 0) throw new InputError(`${flag} is empty`);
    return { host: value };
  }
  const host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new InputError(`${flag} "${value}" has port "${portText}"; it must be a number 0-65535`);
  return { host, port: Number(portText) };
}

/** The public IP of the host `ref` names, for `--public`; bad input when it has none. */
async function publicAddressOf(topology: Topology, ref: string): Promise<string> {
  const { resolveHost } = await import('../model/hosts');
  const host = resolveHost(topology, ref);
  if (host.publicIp === undefined || host.subnet === undefined) throw new InputError(`--public: host "${ref}" has no public IP in topology ${topology.name}`);
  return host.publicIp;
}

/** Registers `natlab walk`. */
export function registerWalk(program: Command): void {
  const cmd = program
    .command('walk')
    .description('walk one packet hop by hop (route tables, NAT gateway, internet gateway, security groups, network ACLs) and its reply')
    .requiredOption('--from <host[:port]>', 'sender: an IP, instance id, ENI id or host name, or an internet address like 8.8.8.8:40000 (no port: any)')
    .requiredOption('--to <ip|host:port>', 'destination address or host, and port')
    .addOption(new Option('--protocol <protocol>', 'protocol').choices(['tcp', 'udp', 'icmp']).default('tcp'))
    .option('--public', "send to the destination host's public IP, even from inside its VPC (out through the internet gateway or a NAT gateway and back in)")
    .option('--json', 'print the walk as one JSON document');
  addTopologyOptions(cmd).action(
    action(async (opts: WalkCliOptions) => {
      const from = splitHostPort(opts.from, '--from', false);
      const to = splitHostPort(opts.to, '--to', opts.protocol !== 'icmp');
      if (opts.protocol === 'icmp' && to.port !== undefined) throw new InputError(`--to "${opts.to}" has a port, but an ICMP echo has none: give only the host (--to ${to.host})`);
      const topology = await loadTopologyFrom(opts);
      const { walk } = await import('../model/walk');
      const destination = opts.public ? await publicAddressOf(topology, to.host) : to.host;
      const name = opts.public ? `${from.host} -> ${to.host}'s public IP${to.port !== undefined ? `:${to.port}` : ''}` : undefined;
      const result = walk(topology, { ...(name ? { name } : {}), protocol: opts.protocol, from: from.host, sourcePort: from.port ?? 'any', to: { host: destination, port: to.port ?? 0 } });
      if (opts.json) printJson(result);
      else {
        const { renderWalk } = await import('../report/text');
        writeStdout(renderWalk(result) + '\n');
      }
      return result.verdict === 'dropped' || result.reply?.verdict === 'dropped' ? 1 : 0;
    }),
  );
}
