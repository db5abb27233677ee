import { App, Stack, Token, Lazy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { labPropsFromContext } from '../../lib/construct/lab-stack';
import { NatGatewayLab, LAB_DEFAULTS, validateLabProps } from '../../lib/construct/nat-gateway-lab';
import { NatProbe } from '../../lib/construct/nat-probe';

const seed: Parameters<typeof validateLabProps>[0] = {
  vpcCidr: LAB_DEFAULTS.vpcCidr,
  publicSubnetCidr: LAB_DEFAULTS.publicSubnetCidr,
  privateSubnetCidr: LAB_DEFAULTS.privateSubnetCidr,
  natPrivateIp: LAB_DEFAULTS.natPrivateIp,
  clientIps: [...LAB_DEFAULTS.clientIps],
  withDirectClient: true,
  directClientIp: LAB_DEFAULTS.directClientIp,
  sourcePort: LAB_DEFAULTS.sourcePort,
  serverPort: LAB_DEFAULTS.serverPort,
  serverVpcCidr: LAB_DEFAULTS.serverVpcCidr,
};

function messageOf(change: Partial<Parameters<typeof validateLabProps>[0]>, eipAllocationId?: string): string {
  try {
    validateLabProps({ ...seed, ...change }, eipAllocationId);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('lab props validation: one sentence naming the value and the rule', () => {
  it('accepts the seed', () => {
    expect(() => validateLabProps(seed, 'eipalloc-0123456789abcdef0')).not.toThrow();
  });

  it.each<[string, Partial<Parameters<typeof validateLabProps>[0]>, string]>([
    ['a reserved NAT address (DNS)', { natPrivateIp: '10.0.0.2' }, 'natPrivateIp 10.0.0.2 is reserved by AWS in 10.0.0.0/24 (the Amazon-provided DNS, network + 2); use an address from 10.0.0.4 to 10.0.0.254.'],
    ['a reserved NAT address (router)', { natPrivateIp: '10.0.0.1' }, 'natPrivateIp 10.0.0.1 is reserved by AWS in 10.0.0.0/24 (the VPC router, network + 1); use an address from 10.0.0.4 to 10.0.0.254.'],
    ['a reserved NAT address (broadcast)', { natPrivateIp: '10.0.0.255' }, 'natPrivateIp 10.0.0.255 is reserved by AWS in 10.0.0.0/24 (the broadcast address); use an address from 10.0.0.4 to 10.0.0.254.'],
    ['a NAT address outside the public subnet', { natPrivateIp: '10.0.1.226' }, "natPrivateIp 10.0.1.226 is outside the public subnet 10.0.0.0/24 (publicSubnetCidr); the NAT Gateway's private IP must lie in the subnet it sits in."],
    ['a NAT address that is not an address', { natPrivateIp: '10.0.0.300' }, 'natPrivateIp "10.0.0.300" is not an IPv4 address (expected four numbers 0-255, like 10.0.1.32).'],
    ['a client outside the private subnet', { clientIps: ['10.0.1.32', '10.0.2.5'] }, 'clientIps entry 10.0.2.5 is outside the private subnet 10.0.1.0/24 (privateSubnetCidr); each client must sit in the private subnet, behind the NAT Gateway.'],
    ['a client on a reserved address', { clientIps: ['10.0.1.3'] }, 'clientIps entry 10.0.1.3 is reserved by AWS in 10.0.1.0/24 (reserved for future use, network + 3); use an address from 10.0.1.4 to 10.0.1.254.'],
    ['the same client twice', { clientIps: ['10.0.1.32', '10.0.1.32'] }, 'clientIps lists 10.0.1.32 twice; each interface needs its own address.'],
    ['no clients', { clientIps: [] }, 'clientIps is empty; the lab needs at least one private client.'],
    ['the direct client on the NAT address', { directClientIp: '10.0.0.226' }, 'directClientIp 10.0.0.226 is already natPrivateIp; two interfaces cannot share an address.'],
    ['the direct client in the private subnet', { directClientIp: '10.0.1.10' }, 'directClientIp 10.0.1.10 is outside the public subnet 10.0.0.0/24 (publicSubnetCidr); the direct client must sit in the public subnet, beside the NAT Gateway.'],
    ['overlapping subnets', { publicSubnetCidr: '10.0.0.0/23' }, 'publicSubnetCidr 10.0.0.0/23 overlaps privateSubnetCidr 10.0.1.0/24; subnets of one VPC must not overlap.'],
    ['a subnet outside the VPC', { privateSubnetCidr: '10.1.1.0/24' }, 'privateSubnetCidr 10.1.1.0/24 is outside vpcCidr 10.0.0.0/16; every subnet must lie inside its VPC.'],
    ['a subnet larger than its VPC', { vpcCidr: '10.0.0.0/24', publicSubnetCidr: '10.0.0.0/16' }, 'publicSubnetCidr 10.0.0.0/16 is outside vpcCidr 10.0.0.0/24; every subnet must lie inside its VPC.'],
    ['a VPC prefix AWS does not allow', { vpcCidr: '10.0.0.0/8' }, 'vpcCidr 10.0.0.0/8 has a /8 prefix; AWS VPCs and subnets must be from /16 to /28.'],
    ['a CIDR with host bits', { privateSubnetCidr: '10.0.1.5/24' }, 'privateSubnetCidr "10.0.1.5/24" has host bits set; the network address is 10.0.1.0/24.'],
    ['a server port out of range', { serverPort: 70000 }, 'serverPort 70000 is out of range; a TCP port is an integer from 1 to 65535.'],
    ['a source port of 0', { sourcePort: 0 }, 'sourcePort 0 is out of range; a TCP port is an integer from 1 to 65535.'],
  ])('rejects %s', (_what, change, message) => {
    expect(messageOf(change)).toBe(message);
  });

  it('rejects a malformed Elastic IP allocation id', () => {
    expect(messageOf({}, 'eip-123')).toBe('eipAllocationId "eip-123" is not an Elastic IP allocation id (expected eipalloc- followed by 8 or 17 hex digits).');
  });

  it('skips values that are only known at deploy time', () => {
    const fromDeploy = Token.asString(Lazy.string({ produce: () => '10.0.9.9' }));
    expect(() => validateLabProps({ ...seed, natPrivateIp: fromDeploy, clientIps: [fromDeploy] }, Token.asString(Lazy.string({ produce: () => 'x' })))).not.toThrow();
  });

  it('stops the construct before it builds anything', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new NatGatewayLab(stack, 'Lab', { natPrivateIp: '10.0.0.2' })).toThrow(InputError);
    expect(stack.node.findAll().filter((c) => c.node.path.includes('Lab/'))).toEqual([]);
  });
});

describe('NatProbe props validation', () => {
  const vpc = () => new ec2.Vpc(new Stack(new App(), 'S'), 'Vpc', { maxAzs: 1, restrictDefaultSecurityGroup: false });
  it.each<[string[], string]>([
    [[], 'allowedSourceIps is empty; the echo server must admit at least your egress address.'],
    [['0.0.0.0/0'], 'allowedSourceIps entry "0.0.0.0/0" would open the server to the whole internet; list the public IPs your VPC egresses from.'],
    [['3.224.9'], 'allowedSourceIps entry "3.224.9" is not an IPv4 address or CIDR (like 3.224.9.52 or 3.224.9.52/32).'],
  ])('rejects allowedSourceIps %j', (allowedSourceIps, message) => {
    const v = vpc();
    expect(() => new NatProbe(v.stack, 'Probe', { vpc: v, allowedSourceIps })).toThrow(message);
  });
});

describe('context values (cdk.json, -c key=value)', () => {
  it('turns strings into typed props and keeps defaults for empty values', () => {
    const props = labPropsFromContext({ clientIps: '10.0.1.32, 10.0.1.123', sourcePort: '32222', serverPort: 8080, eipAllocationId: '', instanceType: 't4g.micro' });
    expect(props.clientIps).toEqual(['10.0.1.32', '10.0.1.123']);
    expect(props.sourcePort).toBe(32222);
    expect(props.serverPort).toBe(8080);
    expect(props.eipAllocationId).toBeUndefined();
    expect(props.instanceType?.toString()).toBe('t4g.micro');
  });

  it.each<[Record<string, unknown>, string]>([
    [{ sourcePort: 'abc' }, 'context sourcePort "abc" is not an integer.'],
    [{ instanceType: 'nano' }, 'context instanceType "nano" is not an EC2 instance type (like t4g.nano).'],
    [{ natPrivateIp: { a: 1 } }, 'context natPrivateIp {"a":1} must be a string.'],
  ])('rejects %j', (context, message) => {
    expect(() => labPropsFromContext(context)).toThrow(message);
  });
});

describe('bin/app.ts with a bad context value', () => {
  it('prints one sentence, no stack trace, exits 2 and writes no template', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'natlab-app-'));
    const root = join(__dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin/app.ts')], {
      cwd: root,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ natPrivateIp: '10.0.0.2' }), CDK_OUTDIR: outdir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('natlab: natPrivateIp 10.0.0.2 is reserved by AWS in 10.0.0.0/24 (the Amazon-provided DNS, network + 2); use an address from 10.0.0.4 to 10.0.0.254.\n');
    expect(readdirSync(outdir)).toEqual([]);
  });
});
