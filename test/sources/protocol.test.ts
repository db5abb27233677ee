/** The one mapping of AWS rule protocols, shared by the template and describe sources. */
import { ruleProtocolOf } from '../../lib/sources/private/protocol';

describe('ruleProtocolOf', () => {
  test.each([
    ['-1', 'all'],
    ['all', 'all'],
    [-1, 'all'],
    ['tcp', 'tcp'],
    ['TCP', 'tcp'],
    ['6', 'tcp'],
    [6, 'tcp'],
    ['udp', 'udp'],
    ['17', 'udp'],
    [17, 'udp'],
    ['icmp', 'icmp'],
    ['1', 'icmp'],
  ])('%j -> %s', (value, expected) => {
    expect(ruleProtocolOf(value)).toBe(expected);
  });

  test.each([['58'], ['icmpv6'], ['47'], [undefined], ['']])('%j is a protocol the model does not simulate: undefined', (value) => {
    expect(ruleProtocolOf(value)).toBeUndefined();
  });
});
