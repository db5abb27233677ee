/** The IP protocol of a security group or NACL rule, as AWS writes it, in the model's terms. */
import type { RuleProtocol } from '../../model/types';

/**
 * "-1"/"all", "tcp"/"6", "udp"/"17", "icmp"/"1" (any case; numbers from templates too) ->
 * the model's protocol; protocols the model does not simulate (ICMPv6, GRE, ...) -> undefined.
 */
export function ruleProtocolOf(value: unknown): RuleProtocol | undefined {
  switch (String(value).toLowerCase()) {
    case '-1':
    case 'all':
      return 'all';
    case 'tcp':
    case '6':
      return 'tcp';
    case 'udp':
    case '17':
      return 'udp';
    case 'icmp':
    case '1':
      return 'icmp';
    default:
      return undefined;
  }
}
