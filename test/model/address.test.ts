import { InputError } from '../../lib/errors';
import {
  cidrContains,
  cidrMatches,
  cidrOverlap,
  documentationIp,
  formatIp,
  isDocumentationIp,
  isIpv4,
  isPrivateIp,
  isUnresolvedIp,
  parseCidr,
  parseIp,
  prefixLength,
  reservedRole,
  subnetReserved,
  subnetRouter,
  unresolvedIp,
} from '../../lib/model/address';

describe('IPv4 addresses', () => {
  it('parses and formats dotted quads', () => {
    expect(parseIp('10.0.1.32')).toBe(0x0a000120);
    expect(formatIp(parseIp('255.255.255.255'))).toBe('255.255.255.255');
    expect(formatIp(parseIp('3.224.9.52'))).toBe('3.224.9.52');
  });

  it.each(['10.0.1', '10.0.1.256', '10.0.1.32/24', 'abc', '01.2.3.4', ''])('rejects %p with an InputError naming it', (bad) => {
    expect(() => parseIp(bad)).toThrow(InputError);
    expect(() => parseIp(bad)).toThrow(`"${bad}"`);
    expect(isIpv4(bad)).toBe(false);
  });

  it('knows private and documentation ranges', () => {
    expect(isPrivateIp('10.0.0.226')).toBe(true);
    expect(isPrivateIp('172.31.0.1')).toBe(true);
    expect(isPrivateIp('3.224.9.52')).toBe(false);
    expect(isDocumentationIp('203.0.113.10')).toBe(true);
    expect(isDocumentationIp('44.198.164.163')).toBe(false);
    expect(documentationIp(0)).toBe('192.0.2.1');
    expect(documentationIp(254)).toBe('198.51.100.1');
    expect(() => documentationIp(-1)).toThrow(InputError);
  });

  it('recognises values known only after deploy', () => {
    expect(isUnresolvedIp('<Fn::GetAtt LabNatEip.PublicIp>')).toBe(true);
    expect(isUnresolvedIp('3.224.9.52')).toBe(false);
    expect(unresolvedIp('Fn::GetAtt X.PublicIp')).toBe('<Fn::GetAtt X.PublicIp>');
    expect(unresolvedIp('<already>')).toBe('<already>');
  });
});

describe('CIDR blocks', () => {
  it('parses, contains and overlaps', () => {
    const vpc = parseCidr('10.0.0.0/16');
    expect(vpc.prefix).toBe(16);
    expect(prefixLength('0.0.0.0/0')).toBe(0);
    expect(cidrContains(vpc, '10.0.1.32')).toBe(true);
    expect(cidrContains('10.0.0.0/24', '10.0.1.32')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '44.198.164.163')).toBe(true);
    expect(cidrContains('3.224.9.52/32', '3.224.9.52')).toBe(true);
    expect(cidrOverlap('10.0.0.0/16', '10.0.1.0/24')).toBe(true);
    expect(cidrOverlap('10.0.0.0/24', '10.0.1.0/24')).toBe(false);
  });

  it('rejects host bits and bad prefixes, naming the value', () => {
    expect(() => parseCidr('10.0.1.5/24')).toThrow('host bits set; the network address is 10.0.1.0/24');
    expect(() => parseCidr('10.0.0.0/33')).toThrow('"10.0.0.0/33"');
    expect(() => parseCidr('10.0.0.0')).toThrow(InputError);
  });

  it('lists the five reserved addresses of a subnet', () => {
    expect(subnetReserved('10.0.1.0/24')).toEqual({ network: '10.0.1.0', router: '10.0.1.1', dns: '10.0.1.2', future: '10.0.1.3', broadcast: '10.0.1.255' });
    expect(subnetRouter('10.0.0.0/24')).toBe('10.0.0.1');
    expect(reservedRole('10.0.1.0/24', '10.0.1.2')).toBe('dns');
    expect(reservedRole('10.0.1.0/24', '10.0.1.4')).toBeUndefined();
  });

  it('matches unresolved values only when it can tell', () => {
    expect(cidrMatches('0.0.0.0/0', '<eip>')).toBe(true);
    expect(cidrMatches('3.224.9.52/32', '<eip>')).toBe('unknown');
    expect(cidrMatches('<eip>/32', '<eip>')).toBe(true);
    expect(cidrMatches('10.0.0.0/16', '10.0.1.32')).toBe(true);
  });
});
