/**
 * Issue 13's template cases: each hostile template ends in one InputError line naming the file
 * and the path inside it (cycles name the chain), in bounded time and memory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { loadTopology } from '../../lib/sources';
import { loadTemplates } from '../../lib/sources/template';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'natlab-template-bad-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function template(name: string, text: string): string {
  const file = join(tmp, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A small valid network every case below breaks one thing of. */
const NETWORK = `
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: sg, VpcId: !Ref Vpc }
`;

/** Loads the text as one template and returns the error line (or fails the test). */
async function errorOf(text: string, name = 'bad.yaml'): Promise<string> {
  const file = template(name, text);
  const err = await loadTemplates([file]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  const message = (err as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message.replace(`${tmp}/`, '');
}

describe('cycles name their chain', () => {
  test('a condition that refers to itself', async () => {
    expect(await errorOf(`${NETWORK}Conditions:\n  A: !Condition A\n  B: !Not [!Condition A]\n  Use: !And [!Condition B, !Condition B]\nOutputs: {}\n`.replace('Sg:\n    Type', 'Sg:\n    Condition: Use\n    Type'))).toBe(
      'bad.yaml: Conditions.A: a cycle: Conditions.A -> Conditions.A',
    );
  });

  test('conditions that refer to each other', async () => {
    const text = `${NETWORK.replace('Sg:\n    Type', 'Sg:\n    Condition: A\n    Type')}Conditions:\n  A: !And [!Condition B, !Equals [1, 1]]\n  B: !Or [!Condition A, !Equals [1, 2]]\n`;
    expect(await errorOf(text)).toBe('bad.yaml: Conditions.B[0]: a cycle: Conditions.A -> Conditions.B -> Conditions.A');
  });

  test('!GetAtt between two resources', async () => {
    const text = `${NETWORK}
  A:
    Type: AWS::EC2::Instance
    Properties: { SubnetId: !Ref Subnet, PrivateIpAddress: !GetAtt B.PrivateIp }
  B:
    Type: AWS::EC2::Instance
    Properties: { SubnetId: !Ref Subnet, PrivateIpAddress: !GetAtt A.PrivateIp }
`;
    expect(await errorOf(text)).toBe(
      'bad.yaml: Resources.A.Properties.PrivateIpAddress: a cycle: Resources.B.Properties.PrivateIpAddress -> Resources.A.Properties.PrivateIpAddress -> Resources.B.Properties.PrivateIpAddress',
    );
  });

  test('a parameter default that refers to itself', async () => {
    expect(await errorOf(`Parameters:\n  P: { Type: String, Default: !Ref P }\n${NETWORK.replace('10.0.0.0/16', '!Ref P')}`)).toBe(
      'bad.yaml: Parameters.P.Default: a cycle: Parameters.P.Default -> Parameters.P.Default',
    );
  });

  test('a mapping whose value looks itself up', async () => {
    const text = `Mappings:\n  M:\n    a: { b: !FindInMap [M, a, b] }\n${NETWORK.replace('10.0.0.0/16', '!FindInMap [M, a, b]')}`;
    expect(await errorOf(text)).toBe('bad.yaml: Mappings.M.a.b: a cycle: Mappings.M.a.b -> Mappings.M.a.b');
  });

  test('!ImportValue across two templates, naming both files', async () => {
    const a = template('cycle/a.yaml', `${NETWORK.replace('10.0.0.0/16', '!ImportValue y')}Outputs:\n  X: { Value: !ImportValue y, Export: { Name: x } }\n`);
    const b = template('cycle/b.yaml', `Resources:\n  Nothing: { Type: AWS::SNS::Topic }\nOutputs:\n  Y: { Value: !ImportValue x, Export: { Name: y } }\n`);
    await expect(loadTemplates([a, b])).rejects.toThrow(new InputError(`${a}: Outputs.X.Value: a cycle: ${b} Outputs.Y.Value -> ${a} Outputs.X.Value -> ${b} Outputs.Y.Value`));
  });
});

describe('bounded: depth, aliases, Fn::Cidr, size', () => {
  test('100k-deep nesting in YAML', async () => {
    const message = await errorOf(`${NETWORK}Outputs:\n  Deep: { Value: ${'['.repeat(100_000)}${']'.repeat(100_000)} }\n`);
    expect(message).toMatch(/^bad\.yaml: not valid YAML at line \d+, column \d+: Maximum call stack size exceeded$/);
  });

  test('100k-deep nesting in JSON', async () => {
    const message = await errorOf(`{"Resources": {"X": {"Type": "AWS::SNS::Topic", "Properties": {"A": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}}}`, 'deep.json');
    expect(message).toMatch(/^deep\.json: Resources\.X\.Properties\.A[[\]0]+\.\.\.: nested deeper than 200 levels$/);
  });

  test('a YAML alias bomb', async () => {
    let bomb = 'l0: &l0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    expect(await errorOf(`${NETWORK}Metadata:\n  ${bomb.replace(/\n/g, '\n  ')}`)).toBe('bad.yaml: YAML aliases expand past 100 (a resource exhaustion attack, or a template natlab cannot read)');
  });

  test('!Cidr [10.0.0.0/16, 50000000, 8] is refused before it makes a block', async () => {
    expect(await errorOf(NETWORK.replace('10.0.1.0/24', '!Select [0, !Cidr [10.0.0.0/16, 50000000, 8]]'))).toBe(
      'bad.yaml: Resources.Subnet.Properties.CidrBlock.Fn::Select[1]: Fn::Cidr count 50000000 is not a whole number from 1 to 256',
    );
  });

  test('!Cidr asking more blocks than the range holds', async () => {
    expect(await errorOf(NETWORK.replace('10.0.1.0/24', '!Select [0, !Cidr [10.0.0.0/24, 4, 7]]'))).toBe('bad.yaml: Resources.Subnet.Properties.CidrBlock.Fn::Select[1]: Fn::Cidr count 4 is more than the 2 blocks of /25 in 10.0.0.0/24');
  });
});

describe('wrong shapes are one line at their path', () => {
  test.each([
    ['Conditions: {C: null}', `${NETWORK}Conditions: {C: null}\n`, 'bad.yaml: Conditions.C: expected a mapping, got null'],
    ['Outputs: {O: null}', `${NETWORK}Outputs: {O: null}\n`, 'bad.yaml: Outputs.O: expected a mapping, got null'],
    ['!Sub ["${x}", "abc"]', NETWORK.replace('GroupDescription: sg', 'GroupDescription: !Sub ["${x}", "abc"]'), 'bad.yaml: Resources.Sg.Properties.GroupDescription: Fn::Sub takes its variables as a mapping, got "abc"'],
    ['Tags: [null]', NETWORK.replace('GroupDescription: sg,', 'GroupDescription: sg, Tags: [null],'), 'bad.yaml: Resources.Sg.Properties.Tags[0]: expected {Key, Value}, got null'],
    [
      'SecurityGroupIds: !Ref Sg',
      `${NETWORK}  I:\n    Type: AWS::EC2::Instance\n    Properties: { SubnetId: !Ref Subnet, SecurityGroupIds: !Ref Sg }\n`,
      'bad.yaml: Resources.I.Properties.SecurityGroupIds: expected a list, got "Sg"',
    ],
    [
      'PrivateIpAddress: !GetAZs ""',
      `${NETWORK}  I:\n    Type: AWS::EC2::Instance\n    Properties: { SubnetId: !Ref Subnet, PrivateIpAddress: !GetAZs "" }\n`,
      'bad.yaml: Resources.I.Properties.PrivateIpAddress: expected an IPv4 address, got a list',
    ],
    ['an unknown YAML tag', NETWORK.replace('GroupDescription: sg', 'GroupDescription: !Reff Vpc'), 'bad.yaml: not valid YAML at line 11, column 37: Unresolved tag: !Reff (not a CloudFormation tag)'],
    [
      'a port past 65535',
      `${NETWORK}  Rule:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: { GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 70000, ToPort: 70000, CidrIp: 10.0.0.0/8 }\n`,
      'bad.yaml: Resources.Rule.Properties.FromPort: 70000 is not a port from 0 to 65535',
    ],
    [
      'a NACL rule number past 32766',
      `${NETWORK}  Acl:\n    Type: AWS::EC2::NetworkAcl\n    Properties: { VpcId: !Ref Vpc }\n  E:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties: { NetworkAclId: !Ref Acl, RuleNumber: 99999999, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0 }\n`,
      'bad.yaml: Resources.E.Properties.RuleNumber: 99999999 is not a rule number from 1 to 32766',
    ],
    [
      'RuleAction: maybe',
      `${NETWORK}  Acl:\n    Type: AWS::EC2::NetworkAcl\n    Properties: { VpcId: !Ref Vpc }\n  E:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties: { NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: -1, RuleAction: maybe, CidrBlock: 0.0.0.0/0 }\n`,
      'bad.yaml: Resources.E.Properties.RuleAction: "maybe" is not allow or deny',
    ],
  ])('%s', async (_name, text, message) => {
    expect(await errorOf(text)).toBe(message);
  });

  test('a bad CIDR in SecurityGroupIngress resource Sg2 is reported at Sg2, not at the group Sg', async () => {
    const text = `${NETWORK}  Sg2:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: { GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.300/32 }\n`;
    expect(await errorOf(text)).toBe('bad.yaml: Resources.Sg2.Properties.CidrIp: "10.0.0.300/32" is not an IPv4 CIDR');
  });

  test('!ImportValue of a missing export, where natlab needs the value, names the file and the path', async () => {
    expect(await errorOf(NETWORK.replace('10.0.1.0/24', '!ImportValue network-PrivateCidr'))).toBe(
      'bad.yaml: Resources.Subnet.Properties.CidrBlock: Fn::ImportValue network-PrivateCidr, exported by none of the given templates, but natlab needs it to build the topology',
    );
  });
});

describe('several templates', () => {
  test('the same export from two templates', async () => {
    const a = template('exports/a.yaml', `${NETWORK}Outputs:\n  V: { Value: !Ref Vpc, Export: { Name: shared-vpc } }\n`);
    const b = template('exports/b.yaml', `Resources:\n  T: { Type: AWS::SNS::Topic }\nOutputs:\n  Other: { Value: x, Export: { Name: shared-vpc } }\n`);
    await expect(loadTemplates([a, b])).rejects.toThrow(new InputError(`${b}: Outputs.Other.Export.Name: "shared-vpc" is already exported by ${a} (Outputs.V)`));
  });

  test('the same template twice, also by another path', async () => {
    const a = template('twice/net.yaml', NETWORK);
    await expect(loadTemplates([a, join(tmp, 'twice', '..', 'twice', 'net.yaml')])).rejects.toThrow(new InputError(`${join(tmp, 'twice', '..', 'twice', 'net.yaml')}: the same template is given twice (as ${a} and ${join(tmp, 'twice', '..', 'twice', 'net.yaml')})`));
  });

  test('two templates with one file name: ids stay apart, and an error blames the right file', async () => {
    const a = template('one/net.yaml', NETWORK);
    const b = template('two/net.yaml', NETWORK.replace('10.0.0.0/16', '10.1.0.0/16').replace('10.0.1.0/24', '10.1.1.0/24'));
    const t = await loadTemplates([a, b]);
    expect(t.vpcs.map((v) => [v.id, v.cidrs[0]])).toEqual([
      ['one/net/Vpc', '10.0.0.0/16'],
      ['two/net/Vpc', '10.1.0.0/16'],
    ]);
    expect(t.subnets.map((s) => s.vpc)).toEqual(['one/net/Vpc', 'two/net/Vpc']);
    const broken = template('three/net.yaml', NETWORK.replace('10.0.1.0/24', '10.9.1.0/24'));
    await expect(loadTemplates([a, broken])).rejects.toThrow(new InputError(`${broken}: Resources.Subnet.Properties.CidrBlock: 10.9.1.0/24 is not inside VPC "three/net/Vpc" (10.0.0.0/16)`));
  });
});

describe('what AWS accepts is accepted', () => {
  test('a UTF-8 BOM, in YAML and in JSON', async () => {
    const yaml = template('bom.yaml', `\uFEFF${NETWORK}`);
    const json = template('bom.json', `\uFEFF{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}}`);
    expect((await loadTemplates([yaml])).vpcs).toHaveLength(1);
    expect((await loadTemplates([json])).vpcs).toHaveLength(1);
  });

  test('a parameters file with a BOM; its bad entries are named by index', async () => {
    const net = template('params/net.yaml', `Parameters:\n  Cidr: { Type: String }\n${NETWORK.replace('10.0.0.0/16', '!Ref Cidr')}`);
    const good = template('params/good.json', '\uFEFF[{"ParameterKey": "Cidr", "ParameterValue": "10.0.0.0/16"}]');
    expect((await loadTopology({ template: [net], parameters: good })).vpcs[0].cidrs).toEqual(['10.0.0.0/16']);
    const bad = template('params/bad.json', '[{"ParameterKey": "Cidr", "ParameterValue": "10.0.0.0/16"}, {"ParameterValue": "x"}]');
    await expect(loadTopology({ template: [net], parameters: bad })).rejects.toThrow(new InputError(`${bad}: [1].ParameterKey: expected a parameter name, got undefined`));
    // `deploy --parameter-overrides` file form, and UsePreviousValue (a deployed value natlab cannot see: left unset).
    const strings = template('params/strings.json', '["Cidr=10.0.0.0/16"]');
    expect((await loadTopology({ template: [net], parameters: strings })).vpcs[0].cidrs).toEqual(['10.0.0.0/16']);
    const previous = template('params/previous.json', '[{"ParameterKey": "Cidr", "UsePreviousValue": true}]');
    await expect(loadTopology({ template: [net], parameters: previous })).rejects.toThrow(
      new InputError(`${net}: Resources.Vpc.Properties.CidrBlock: Parameter Cidr, given at deploy, but natlab needs it to build the topology: pass --parameter Cidr=VALUE`),
    );
    const notList = template('params/object.json', '{"Cidr": "10.0.0.0/16"}');
    await expect(loadTopology({ template: [net], parameters: notList })).rejects.toThrow(new InputError(`${notList}: expected a list of {"ParameterKey": ..., "ParameterValue": ...}, got a mapping`));
  });
});

describe('AWS::NoValue where a value is needed (found by the 10,000-run fuzz)', () => {
  it('Properties: !Ref AWS::NoValue is a resource with no properties, and a string is one line naming the resource', async () => {
    const file = template('novalue.yaml', `${NETWORK}  Extra:\n    Type: AWS::EC2::SecurityGroup\n    Properties: !Ref AWS::NoValue\n`);
    await expect(loadTemplates([file])).resolves.toMatchObject({ vpcs: [expect.anything()] });
    expect(await errorOf(`${NETWORK}  Extra:\n    Type: AWS::EC2::SecurityGroup\n    Properties: !Ref AWS::Region\n`)).toBe(
      'bad.yaml: Resources.Extra.Properties: expected a mapping of properties, got "us-east-1"',
    );
  });

  it('AWS::NoValue as an argument of Fn::Select is one line naming the path', async () => {
    expect(await errorOf(NETWORK.replace('AvailabilityZone: us-east-1a', 'AvailabilityZone: !Select [!Ref AWS::NoValue, [us-east-1a]]'))).toBe(
      'bad.yaml: Resources.Subnet.Properties.AvailabilityZone.Fn::Select[0]: AWS::NoValue is not a value Fn::Select can take',
    );
  });
});
