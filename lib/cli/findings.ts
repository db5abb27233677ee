/** `natlab findings`: every host to the internet and to every other host, and what is broken. */
import { Command, Option } from 'commander';
import { InputError } from '../errors';
import type { Protocol } from '../model/types';
import { type TopologySourceOptions, action, addTopologyOptions, loadTopologyFrom, writeStdout } from './common';
import { splitHostPort } from './walk';

interface FindingsCliOptions extends TopologySourceOptions {
  port: string;
  internet: string;
  protocol: Protocol[];
  strict?: boolean;
  json?: boolean;
}

function parsePort(value: string, flag: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new InputError(`${flag} "${value}" is not a port number (1-65535)`);
  return Number(value);
}

/** Registers `natlab findings`. */
export function registerFindings(program: Command): void {
  const cmd = program
    .command('findings')
    .description('walk every host to the internet and to every other host (TCP and ICMP, with replies) and list what is broken, grouped by cause')
    .option('--port <port>', 'TCP port for flows between hosts (a flow of the topology to a host names its own)', '22')
    .option('--internet <ip:port>', 'the address standing for the internet, and the TCP port of flows to it', '8.8.8.8:443')
    .addOption(new Option('--protocol <protocol...>', 'protocols to walk').choices(['tcp', 'udp', 'icmp']).default(['tcp', 'icmp']))
    .option('--strict', "exit 1 on receivers' security group refusals too (by default they are listed, as policy, but only the other faults fail)")
    .option('--json', 'print every flow as one JSON list of {from, to, protocol, verdict, dropped}');
  addTopologyOptions(cmd).action(
    action(async (opts: FindingsCliOptions) => {
      const hostPort = parsePort(opts.port, '--port');
      const internet = splitHostPort(opts.internet, '--internet', false);
      const topology = await loadTopologyFrom(opts);
      const { findings } = await import('../model/findings');
      const result = findings(topology, { hostPort, internet: { ip: internet.host, port: internet.port ?? 443 }, protocols: [...new Set(opts.protocol)], reasons: opts.json ? 'every-flow' : 'first-per-cause' });
      // One flow per line: a list of thousands stays one JSON document that grep and diff can read.
      if (opts.json) writeStdout(`[\n${result.flows.map((f) => JSON.stringify(f)).join(',\n')}\n]\n`);
      else {
        const { renderFindings } = await import('../report/findings');
        writeStdout(renderFindings(result) + '\n');
      }
      const failing = opts.strict ? result.causes : result.causes.filter((c) => c.stage !== 'security-group-ingress');
      return failing.length > 0 ? 1 : 0;
    }),
  );
}
