/** ICMP type and code from every source: templates, describe output (a dump) and scenario files. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import type { Topology } from '../../lib/model/types';
import { walk } from '../../lib/model/walk';
import { seedTopology } from '../../lib/sources';
import { loadAwsDump } from '../../lib/sources/aws-dump';
import { parseScenario } from '../../lib/sources/scenario';
import { loadTemplates } from '../../lib/sources/template';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-icmp-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function messageOf(fn: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('CloudFormation templates', () => {
  const SEED_LAB = readFileSync('test/fixtures/templates/seed-lab.yaml', 'utf8');
  const INLINE = `        - { IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: !Sub '\${NatEip}/32', Description: "the NAT Gateway's Elastic IP" }\n`;
  const EXTRA = `  ServerSgAnyIcmp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: { GroupId: !Ref ServerSg, IpProtocol: '1', FromPort: -1, ToPort: -1, CidrIp: 10.0.0.0/16 }
  ClientSgPingOut:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: { GroupId: !Ref ClientSg, IpProtocol: icmp, FromPort: '8', ToPort: '0', CidrIp: 0.0.0.0/0 }
  PrivateAclInEchoReply:
    Type: AWS::EC2::NetworkAclEntry
    Properties: { NetworkAclId: !Ref PrivateAcl, RuleNumber: 95, Protocol: 1, RuleAction: allow, Egress: false, CidrBlock: 0.0.0.0/0, Icmp: { Type: 0, Code: -1 } }
  PrivateAclOutAnyIcmp:
    Type: AWS::EC2::NetworkAclEntry
    Properties: { NetworkAclId: !Ref PrivateAcl, RuleNumber: 90, Protocol: 1, RuleAction: allow, Egress: true, CidrBlock: 0.0.0.0/0, Icmp: { Type: -1, Code: -1 } }
`;

  /** seed-lab.yaml with an ICMP rule inline in ServerSg and `extra` resources added. */
  function withIcmp(inline: string, extra: string, name = 'icmp.yaml'): string {
    expect(SEED_LAB).toContain(INLINE);
    expect(SEED_LAB).toContain('\nOutputs:\n');
    const text = SEED_LAB.replace(INLINE, INLINE + inline).replace('\nOutputs:\n', `\n${extra}Outputs:\n`);
    const file = join(tmp, name);
    writeFileSync(file, text);
    return file;
  }

  let t: Topology;
  beforeAll(async () => {
    t = await loadTemplates([withIcmp(`        - { IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIp: 0.0.0.0/0, Description: ping }\n`, EXTRA)]);
  });

  test('security group rules: FromPort is the type, ToPort the code, -1 any (inline and separate resources)', () => {
    const server = t.securityGroups.find((g) => g.id === 'ServerSg')!;
    expect(server.ingress.filter((r) => r.protocol === 'icmp')).toEqual([
      { protocol: 'icmp', icmpType: 8, cidr: '0.0.0.0/0', description: 'ping' },
      { protocol: 'icmp', cidr: '10.0.0.0/16' },
    ]);
    const client = t.securityGroups.find((g) => g.id === 'ClientSg')!;
    expect(client.egress.filter((r) => r.protocol === 'icmp')).toEqual([{ protocol: 'icmp', icmpType: 8, icmpCode: 0, cidr: '0.0.0.0/0' }]);
    // tcp rules keep their ports.
    expect(server.ingress).toContainEqual(expect.objectContaining({ protocol: 'tcp', fromPort: 8080, toPort: 8080 }));
  });

  test('network ACL entries: Icmp Type and Code, -1 any', () => {
    const acl = t.networkAcls.find((a) => a.id === 'PrivateAcl')!;
    expect(acl.ingress.find((r) => r.ruleNumber === 95)).toEqual({ ruleNumber: 95, protocol: 'icmp', action: 'allow', cidr: '0.0.0.0/0', icmpType: 0 });
    expect(acl.egress.find((r) => r.ruleNumber === 90)).toEqual({ ruleNumber: 90, protocol: 'icmp', action: 'allow', cidr: '0.0.0.0/0' });
  });

  test('a ping from client-a to the server comes back only through the ICMP entry of the private ACL (rule 95)', async () => {
    const ping = { protocol: 'icmp' as const, from: 'client-a', sourcePort: 4711, to: { host: 'server', port: 0 } };
    const w = walk(t, ping);
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.verdict).toBe('delivered');
    expect(w.reply?.hops.find((h) => h.component.id === 'PrivateAcl')?.matched).toBe('rule 95 allow icmp type 0 code any 0.0.0.0/0');
    // Rule 95 for tcp instead: the echo reply finds no ICMP rule before rule 100 (the VPC only).
    const tcpOnly = await loadTemplates([withIcmp(`        - { IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIp: 0.0.0.0/0 }\n`, EXTRA.replace('RuleNumber: 95, Protocol: 1', 'RuleNumber: 95, Protocol: 6'), 'tcp-only.yaml')]);
    expect(tcpOnly.networkAcls.find((a) => a.id === 'PrivateAcl')!.ingress.some((r) => r.protocol === 'icmp')).toBe(false);
    const back = walk(tcpOnly, ping);
    expect(back.verdict).toBe('delivered');
    expect(back.reply?.verdict).not.toBe('delivered');
  });

  test('a type or code that is not -1..255 is exit 2 naming the resource and property', async () => {
    const badAcl = EXTRA.replace('Icmp: { Type: 0, Code: -1 }', 'Icmp: { Type: 300, Code: -1 }');
    expect(await messageOf(() => loadTemplates([withIcmp('', badAcl, 'bad-acl.yaml')]))).toMatch(/bad-acl\.yaml: Resources\.PrivateAclInEchoReply\.Properties\.Icmp\.Type: ICMP type 300 is not -1 \(any\) or an integer 0-255$/);
    expect(await messageOf(() => loadTemplates([withIcmp(`        - { IpProtocol: icmp, FromPort: 8, ToPort: x, CidrIp: 0.0.0.0/0 }\n`, '', 'bad-sg.yaml')]))).toMatch(
      /bad-sg\.yaml: Resources\.ServerSg\.Properties\.SecurityGroupIngress\[1\]\.ToPort: ICMP code "x" is not -1 \(any\) or an integer 0-255$/,
    );
  });
});

describe('describe output (a dump of the seed lab)', () => {
  const SERVER_SG = 'sg-0a5b6c7d8e9f0a1b2';
  const CLIENT_SG = 'sg-0c1e2f3a4b5c6d7e8';
  const LAB_ACL = 'acl-0a1b2c3d4e5f6a7b8';

  /** The seed-lab dump with ICMP permissions and NACL entries added, shaped as the SDK returns them. */
  function dumpWith(aclEntries: unknown[]): string {
    const dir = mkdtempSync(join(tmp, 'dump-'));
    cpSync('test/fixtures/aws-dump/seed-lab', dir, { recursive: true });
    const sgs = JSON.parse(readFileSync(join(dir, 'sgs.json'), 'utf8'));
    const server = sgs.SecurityGroups.find((g: { GroupId: string }) => g.GroupId === SERVER_SG);
    server.IpPermissions.push({ IpProtocol: 'icmp', FromPort: 8, ToPort: -1, UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ping' }], Ipv6Ranges: [], PrefixListIds: [] });
    const client = sgs.SecurityGroups.find((g: { GroupId: string }) => g.GroupId === CLIENT_SG);
    client.IpPermissions.push({ IpProtocol: 'icmp', FromPort: -1, ToPort: -1, UserIdGroupPairs: [{ GroupId: CLIENT_SG, UserId: '111122223333' }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] });
    writeFileSync(join(dir, 'sgs.json'), JSON.stringify(sgs));
    const nacls = JSON.parse(readFileSync(join(dir, 'nacls.json'), 'utf8'));
    nacls.NetworkAcls.find((a: { NetworkAclId: string }) => a.NetworkAclId === LAB_ACL).Entries.push(...aclEntries);
    writeFileSync(join(dir, 'nacls.json'), JSON.stringify(nacls));
    return dir;
  }

  const denyEchoReply = { CidrBlock: '0.0.0.0/0', Egress: false, IcmpTypeCode: { Code: -1, Type: 0 }, Protocol: '1', RuleAction: 'deny', RuleNumber: 90 };
  const allowAnyIcmpOut = { CidrBlock: '0.0.0.0/0', Egress: true, IcmpTypeCode: { Code: -1, Type: -1 }, Protocol: '1', RuleAction: 'allow', RuleNumber: 90 };

  test('IpPermissions for icmp (FromPort type, ToPort code) and NACL IcmpTypeCode become icmpType/icmpCode', async () => {
    const t = await loadAwsDump(dumpWith([denyEchoReply, allowAnyIcmpOut]));
    expect(t.securityGroups.find((g) => g.id === SERVER_SG)!.ingress).toContainEqual({ protocol: 'icmp', icmpType: 8, cidr: '0.0.0.0/0', description: 'ping' });
    expect(t.securityGroups.find((g) => g.id === CLIENT_SG)!.ingress).toEqual([{ protocol: 'icmp', securityGroup: CLIENT_SG }]);
    const acl = t.networkAcls.find((a) => a.id === LAB_ACL)!;
    expect(acl.ingress[0]).toEqual({ ruleNumber: 90, protocol: 'icmp', action: 'deny', cidr: '0.0.0.0/0', icmpType: 0 });
    expect(acl.egress[0]).toEqual({ ruleNumber: 90, protocol: 'icmp', action: 'allow', cidr: '0.0.0.0/0' });
  });

  test('a ping from client-a gets out and in the server, and its echo reply dies at the lab ACL rule 90', async () => {
    const t = await loadAwsDump(dumpWith([denyEchoReply]));
    const w = walk(t, { protocol: 'icmp', from: 'client-a', sourcePort: 4711, to: { host: '44.198.164.163', port: 0 } });
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.verdict).toBe('dropped');
    expect(w.reply?.dropped?.component).toBe(LAB_ACL);
    expect(w.reply?.dropped?.reason).toMatch(new RegExp(`^network ACL ${LAB_ACL}( \\(.*\\))? inbound rule 90 denies icmp echo-reply from 44\\.198\\.164\\.163$`));
    // Without the entry the same ping comes back.
    expect(walk(await loadAwsDump(dumpWith([])), { protocol: 'icmp', from: 'client-a', sourcePort: 4711, to: { host: '44.198.164.163', port: 0 } }).reply?.verdict).toBe('delivered');
  });

  test('an ICMP type out of range in a hand-edited dump is exit 2 naming the ACL entry', async () => {
    const bad = { ...denyEchoReply, IcmpTypeCode: { Code: -1, Type: 256 } };
    expect(await messageOf(() => loadAwsDump(dumpWith([bad])))).toContain(`network ACL ${LAB_ACL} entry 90: ICMP type 256 is not -1 (any) or an integer 0-255`);
  });
});

describe('scenario files', () => {
  function scenario(edit: (data: { securityGroups: Array<{ ingress: unknown[] }>; networkAcls: Array<{ ingress: unknown[] }> }) => void): string {
    const data = JSON.parse(JSON.stringify(seedTopology()));
    edit(data);
    return JSON.stringify(data);
  }

  test('accept icmpType and icmpCode on security group and network ACL rules', () => {
    const text = scenario((d) => {
      d.securityGroups[1].ingress.push({ protocol: 'icmp', icmpType: 8, icmpCode: -1, cidr: '3.224.9.52/32' });
      d.networkAcls[0].ingress.unshift({ ruleNumber: 90, protocol: 'icmp', action: 'deny', cidr: '0.0.0.0/0', icmpType: 0 });
    });
    const t = parseScenario(text, 'icmp.json');
    expect(t.securityGroups[1].ingress[2]).toEqual({ protocol: 'icmp', icmpType: 8, icmpCode: -1, cidr: '3.224.9.52/32' });
    const w = walk(t, { protocol: 'icmp', from: 'client-a', sourcePort: 4711, to: { host: 'server', port: 0 } });
    expect(w.verdict).toBe('delivered');
    expect(w.reply?.dropped?.reason).toBe('network ACL acl-default (default) inbound rule 90 denies icmp echo-reply from 44.198.164.163');
  });

  test('reject a type outside -1..255, naming the rule', () => {
    const text = scenario((d) => d.networkAcls[0].ingress.unshift({ ruleNumber: 90, protocol: 'icmp', action: 'deny', cidr: '0.0.0.0/0', icmpType: 256 }));
    expect(() => parseScenario(text, 'bad.json')).toThrow(InputError);
    expect(() => parseScenario(text, 'bad.json')).toThrow(/bad\.json: networkAcls\[0\]\.ingress\[0\]\.icmpType: /);
  });
});

describe('scenario flows for ICMP', () => {
  it('need no port (an echo has none), while tcp and udp flows still do', () => {
    const base = ['vpcs: [{ id: v, cidrs: [10.0.0.0/16] }]', 'subnets: [{ id: s, vpc: v, cidr: 10.0.0.0/24, az: a }]', 'hosts: [{ id: h, subnet: s, privateIp: 10.0.0.10 }]', 'flows:'];
    const ping = parseScenario([...base, '  - { name: ping, protocol: icmp, from: h, to: { host: 8.8.8.8 } }'].join('\n'), 'ping.yaml');
    expect(ping.flows[0]).toMatchObject({ protocol: 'icmp', to: { host: '8.8.8.8', port: 0 } });
    expect(() => parseScenario([...base, '  - { name: web, from: h, to: { host: 8.8.8.8 } }'].join('\n'), 'web.yaml')).toThrow('web.yaml: flows[0].to.port: is required for a tcp flow');
  });
});

describe('scenario ICMP rules', () => {
  it('take icmpType/icmpCode, not ports (which would silently match every type)', () => {
    const text = ['vpcs: [{ id: v, cidrs: [10.0.0.0/16] }]', 'securityGroups:', '  - { id: sg, ingress: [{ protocol: icmp, fromPort: 8, toPort: 0, cidr: 0.0.0.0/0 }] }'].join('\n');
    expect(() => parseScenario(text, 'rule.yaml')).toThrow('rule.yaml: securityGroups[0].ingress[0].fromPort: an icmp rule takes icmpType and icmpCode, not ports');
  });
});
