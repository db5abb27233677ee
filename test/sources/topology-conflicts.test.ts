/* eslint-disable @typescript-eslint/no-explicit-any -- each case mutates plain scenario or dump data loosely, as a hand-edited file would be */
/**
 * Conflicts that make a topology ambiguous, and values AWS rejects, refused the same way from
 * every source (scenario, template, describe dump): one line naming the file, where, and both
 * sides of a conflict. The check runs once, on the Topology every source produces.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { seedTopology } from '../../lib/sources';
import { loadAwsDump } from '../../lib/sources/aws-dump';
import { loadScenario, parseScenario } from '../../lib/sources/scenario';
import { loadTemplates } from '../../lib/sources/template';

const SEED_TEMPLATE = join(__dirname, '..', 'fixtures', 'templates', 'seed-lab.yaml');
const SEED_DUMP = join(__dirname, '..', 'fixtures', 'aws-dump', 'seed-lab');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-conflicts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function seedData(): Record<string, any> {
  return JSON.parse(JSON.stringify(seedTopology()));
}

function scenarioError(mutate: (d: Record<string, any>) => void): string {
  const d = seedData();
  mutate(d);
  try {
    parseScenario(JSON.stringify(d), 'lab.json');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/\n/);
    return message;
  }
  throw new Error('expected an InputError');
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/\n/);
    return message;
  }
  throw new Error('expected an InputError');
}

describe('conflicts in a scenario', () => {
  it('two hosts with one IP: both named, instead of the reply reaching the other host', () => {
    const m = scenarioError((d) => {
      d.hosts[1].privateIp = '10.0.1.32';
    });
    expect(m).toMatch(/^lab\.json: hosts\[1\]\.privateIp: 10\.0\.1\.32 is also the address in VPC "vpc-lab" of host "client-a" \(hosts\[0\]\.privateIp\)/);
  });

  it('the same private IP in two VPCs is no conflict', () => {
    const d = seedData();
    d.vpcs.push({ id: 'vpc-other', cidrs: ['10.0.0.0/16'] });
    d.subnets.push({ id: 'subnet-other', vpc: 'vpc-other', cidr: '10.0.1.0/24', az: 'us-east-1a' });
    d.hosts.push({ id: 'twin-a', kind: 'instance', subnet: 'subnet-other', privateIp: '10.0.1.32', securityGroups: [] });
    expect(parseScenario(JSON.stringify(d), 'two-vpcs.json').hosts).toHaveLength(5);
  });

  it("a host at the NAT gateway's own private address", () => {
    const m = scenarioError((d) => {
      d.hosts[2].privateIp = '10.0.0.226';
    });
    expect(m).toMatch(/hosts\[2\]\.privateIp: 10\.0\.0\.226 is also the address in VPC "vpc-lab" of NAT gateway "nat-xxx" \(natGateways\[0\]\.addresses\[0\]\.privateIp\)/);
  });

  it("a public IP equal to the NAT gateway's Elastic IP (an instance's, or the server's)", () => {
    expect(
      scenarioError((d) => {
        d.hosts[2].publicIp = '3.224.9.52';
      }),
    ).toMatch(/hosts\[2\]\.publicIp: 3\.224\.9\.52 is also the public address of NAT gateway "nat-xxx" \(its Elastic IP\)/);
    expect(
      scenarioError((d) => {
        d.hosts[3].privateIp = '3.224.9.52';
      }),
    ).toMatch(/hosts\[3\]\.privateIp: 3\.224\.9\.52 is also the public address of NAT gateway "nat-xxx"/);
  });

  it('a duplicate 0.0.0.0/0 in one route table', () => {
    const m = scenarioError((d) => {
      d.routeTables[2].routes.push({ destination: '0.0.0.0/0', target: { kind: 'igw', id: d.internetGateways[0].id } });
    });
    expect(m).toMatch(/routeTables\[2\]\.routes\[2\]\.destination: 0\.0\.0\.0\/0 is already the destination of routes\[1\] in route table "rtb-private"/);
  });
});

describe('values AWS rejects, from a template', () => {
  const template = (edit: (text: string) => string): string => {
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, edit(readFileSync(SEED_TEMPLATE, 'utf8')));
    return file;
  };
  const addResources = (yaml: string) => (text: string) => text.replace(/\nOutputs:\n/, `\n${yaml}\nOutputs:\n`);

  it('the unmodified template loads (the cases below differ from it in one place)', async () => {
    await expect(loadTemplates([template((t) => t)])).resolves.toMatchObject({ name: 'lab' });
  });

  it.each([
    ['a security group port 70000', 'ToPort: 8080, CidrIp', 'ToPort: 70000, CidrIp', /\.SecurityGroupIngress\[0\]\.ToPort: 70000 is not a port from 0 to 65535$/],
    ['a security group port -7', 'FromPort: 22, ToPort: 22', 'FromPort: -7, ToPort: 22', /\.FromPort: -7 is not a port/],
    ['a NACL rule number 99999999', 'RuleNumber: 90,', 'RuleNumber: 99999999,', /\.Properties\.RuleNumber: 99999999 is not a rule number from 1 to 32766$/],
    ['RuleAction: maybe', 'RuleNumber: 90, Protocol: 6, RuleAction: allow', 'RuleNumber: 90, Protocol: 6, RuleAction: maybe', /\.Properties\.RuleAction: "maybe" is not allow or deny$/],
  ])('%s is an error naming the file and resource', async (_name, from, to, expected) => {
    const file = template((t) => {
      expect(t).toContain(from);
      return t.replace(from, to);
    });
    const m = await rejection(loadTemplates([file]));
    expect(m).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Resources\\.(ServerSg|ServerSgFromClients|PrivateAcl)`));
    expect(m).toMatch(expected);
  });

  it('two route table associations for one subnet name both tables', async () => {
    const file = template(addResources('  PrivateAssociationAgain:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n    Properties: { SubnetId: !Ref PrivateSubnet, RouteTableId: !Ref PublicRouteTable }'));
    const m = await rejection(loadTemplates([file]));
    expect(m).toMatch(/Resources\.PrivateSubnet.*subnet "PrivateSubnet" is associated with route tables "PrivateRouteTable" and "PublicRouteTable"; a subnet has one/);
  });

  it('two instances with one private IP name both', async () => {
    const file = template(addResources('  ClientC:\n    Type: AWS::EC2::Instance\n    Properties: { ImageId: ami-0abcdef1234567890, SubnetId: !Ref PrivateSubnet, PrivateIpAddress: 10.0.1.123 }'));
    const m = await rejection(loadTemplates([file]));
    expect(m).toMatch(/Resources\.ClientC\.Properties\.PrivateIpAddress: 10\.0\.1\.123 is also the address in VPC "Vpc" of host "ClientB"/);
  });
});

describe('conflicts and rejected values in a describe dump', () => {
  const dump = (file: string, edit: (data: any) => void): string => {
    const copy = join(dir, 'dump');
    cpSync(SEED_DUMP, copy, { recursive: true });
    const data = JSON.parse(readFileSync(join(copy, file), 'utf8'));
    edit(data);
    writeFileSync(join(copy, file), JSON.stringify(data, null, 4));
    return copy;
  };

  it('the unmodified dump loads', async () => {
    await expect(loadAwsDump(SEED_DUMP)).resolves.toMatchObject({ vpcs: [expect.anything(), expect.anything()] });
  });

  it('a NACL entry numbered 99999999 or with RuleAction "maybe"', async () => {
    const big = dump('nacls.json', (d) => {
      d.NetworkAcls[0].Entries[0].RuleNumber = 99999999;
    });
    expect(await rejection(loadAwsDump(big))).toMatch(/nacls\.json: NetworkAcls\[0\]\.Entries\[0\]\.RuleNumber: must be at most 32768/);
    rmSync(big, { recursive: true });
    const maybe = dump('nacls.json', (d) => {
      d.NetworkAcls[0].Entries[0].RuleAction = 'maybe';
    });
    expect(await rejection(loadAwsDump(maybe))).toMatch(/nacls\.json: NetworkAcls\[0\]\.Entries\[0\]\.RuleAction: must be one of "allow", "deny"$/);
  });

  it('a subnet in the associations of two route tables names both', async () => {
    const copy = dump('describe-route-tables.json', (d) => {
      const tables = d.RouteTables as any[];
      const explicit = tables.find((t) => t.Associations.some((a: any) => a.SubnetId && !a.Main));
      const subnet = explicit.Associations.find((a: any) => a.SubnetId).SubnetId;
      const other = tables.find((t) => t !== explicit && t.Associations.every((a: any) => !a.Main));
      other.Associations.push({ Main: false, RouteTableAssociationId: 'rtbassoc-0ffff0000aaaa1111', RouteTableId: other.RouteTableId, SubnetId: subnet, AssociationState: { State: 'associated' } });
    });
    const m = await rejection(loadAwsDump(copy));
    expect(m).toMatch(/is associated with route tables "rtb-[0-9a-f]+" and "rtb-[0-9a-f]+"; a subnet has one/);
  });
});

describe('a UTF-8 byte order mark', () => {
  it('is accepted before a scenario, a template and a dump file', async () => {
    const json = join(dir, 'bom.json');
    writeFileSync(json, '\uFEFF' + JSON.stringify(seedData()));
    expect((await loadScenario(json)).hosts).toHaveLength(4);
    const yaml = join(dir, 'bom.yaml');
    writeFileSync(yaml, '\uFEFFvpcs: [{ id: v, cidrs: [10.0.0.0/16] }]\n');
    expect((await loadScenario(yaml)).vpcs).toHaveLength(1);
    const template = join(dir, 'bom-lab.yaml');
    writeFileSync(template, '\uFEFF' + readFileSync(SEED_TEMPLATE, 'utf8'));
    expect((await loadTemplates([template])).natGateways).toHaveLength(1);
    const copy = join(dir, 'bom-dump');
    cpSync(SEED_DUMP, copy, { recursive: true });
    writeFileSync(join(copy, 'vpcs.json'), '\uFEFF' + readFileSync(join(copy, 'vpcs.json'), 'utf8'));
    expect((await loadAwsDump(copy)).vpcs).toHaveLength(2);
  });
});

describe('YAML aliases in a scenario', () => {
  it('an alias before its anchor, and an alias bomb, are one line naming the file', () => {
    expect(() => parseScenario('vpcs: [{ id: v, cidrs: [*a] }]\n', 'early.yaml')).toThrow(new InputError('early.yaml: not valid YAML: Unresolved alias (the anchor must be set before the alias): a'));
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', 'vpcs: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]'].join('\n');
    expect(() => parseScenario(bomb, 'bomb.yaml')).toThrow(/^bomb\.yaml: not valid YAML: Excessive alias count/);
  });
});

describe('a JSON mistake in a scenario', () => {
  it('is one line although V8 quotes the text around it, newlines included', () => {
    // A trailing comma: YAML reads it, JSON does not, and V8 quotes the lines around it.
    const text = JSON.stringify(seedTopology(), null, 2).replace('"10.0.0.0/16"\n', '"10.0.0.0/16",\n');
    let message = '';
    try {
      parseScenario(text, 'lab.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^lab\.json: not valid JSON: Unexpected token '\]'/);
    expect(message).not.toMatch(/\n/);
  });
});

describe('an unknown field that is a mistyped value', () => {
  it('is quoted on one line (a ": " typed after a flow map turns the whole map into a key)', () => {
    const text = 'vpcs: [{ id: v, cidrs: [10.0.0.0/16] }]\nhosts:\n  - { id: a, privateIp: 10.0.0.9 }\n  - { id: client-b, name: client-b, subnet: subnet-private, privateIp: 10.0.0.10, securityGroups: [sg-clients] }: \n';
    let message = '';
    try {
      parseScenario(text, 'typo.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^typo\.yaml: hosts\[1\]\.id: is missing .*hosts\[1\]: has unknown field "\{\\n {2}id: client-b,\\n/);
    expect(message).not.toMatch(/\n/);
  });
});
