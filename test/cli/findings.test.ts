/**
 * `natlab findings` and the walk flags of issue 7, run as a user runs them: the built CLI in a
 * child process, on the broken picnic VPC (three stacks importing from each other).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'natlab.js');
const PICNIC = ['network', 'security', 'app'].flatMap((stack) => ['--template', join('test', 'fixtures', 'templates', 'picnic', `${stack}.yaml`)]);

function natlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NATLAB_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('natlab findings', () => {
  it('lists what is broken, grouped by cause, each named by the resource to fix, and exits 1', () => {
    const r = natlab('findings', ...PICNIC);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('54 flows walked, each with its reply');
    expect(r.stdout).toMatch(/^ {2}from \\ to +internet +picnic-instance-appa +picnic-bastion/m);
    expect(r.stdout).toMatch(/^ {2}picnic-web-c +✓↩/m); // tcp out works, the ping's reply dies
    // The five planted faults first; the receivers' own security group policy after them.
    expect(r.stdout).toContain('Faults, grouped by cause (5):');
    expect(r.stdout).toContain("Refused by the receiver's security group (3; intended policy, or a missing rule for the port tried):");
    expect(r.stdout.indexOf('allows egress tcp/80 only')).toBeLessThan(r.stdout.indexOf("Refused by the receiver's"));
    for (const fault of [
      'route table network/RouteTablePrivateB (picnic-rt-private-b) has no route to the internet (no 0.0.0.0/0 entry)',
      'network ACL security/NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp',
      'security group security/SgApp (picnic-sg-app) allows egress tcp/80 only',
      'where NAT gateway network/NatGatewayC (picnic-nat-c) sits, has no route to the internet',
      'route table network/RouteTablePrivateA (picnic-rt-private-a) of network/SubnetAppA (picnic-app-a) sends replies to NAT gateway network/NatGatewayA (picnic-nat-a), which never saw those connections',
    ]) {
      expect(r.stdout).toContain(fault);
    }
    expect(r.stdout).toContain('breaks 2 flows (on the reply path, at network/NatGatewayA): internet -> picnic-bastion tcp/22, internet -> picnic-bastion icmp echo');
  });

  it('--json prints one list of {from, to, protocol, verdict, dropped}', () => {
    const r = natlab('findings', ...PICNIC, '--json');
    expect(r.code).toBe(1);
    const flows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(flows)).toBe(true);
    expect(flows).toHaveLength(54);
    for (const f of flows) expect(Object.keys(f)).toEqual(expect.arrayContaining(['from', 'to', 'protocol', 'verdict', 'dropped']));
    const reply = flows.find((f) => f.from === 'picnic-web-c' && f.to === 'internet' && f.protocol === 'icmp')!;
    expect(reply).toMatchObject({ verdict: 'dropped', port: null, dropped: { component: 'security/NaclWebC', path: 'reply', stage: 'network-acl', fault: 'network ACL security/NaclWebC (picnic-nacl-webc) inbound rule 100 denies icmp' } });
    expect((reply.dropped as { reason: string }).reason).toContain('inbound rule 100 denies icmp echo-reply from 8.8.8.8');
    expect(flows.find((f) => f.from === 'picnic-bastion' && f.to === 'internet' && f.protocol === 'tcp')).toMatchObject({ verdict: 'delivered', dropped: null, port: 443 });
  });

  it('exits 0 when the only drops are receivers\' own security group refusals, 1 with --strict', () => {
    const r = natlab('findings');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Faults: none in routes, network ACLs, outbound security group rules, NAT or internet gateways.');
    expect(r.stdout).toContain("Refused by the receiver's security group (2;");
    expect(natlab('findings', '--strict').code).toBe(1);
  });

  it('--port and --internet choose what is tried; on the seed the server keeps its own port', () => {
    const r = natlab('findings', '--port', '8080', '--internet', '1.1.1.1:80', '--json');
    const flows = JSON.parse(r.stdout) as Array<{ from: string; to: string; protocol: string; port: number | null; toIp: string }>;
    expect(flows.find((f) => f.from === 'client-a' && f.to === 'internet' && f.protocol === 'tcp')).toMatchObject({ port: 80, toIp: '1.1.1.1' });
    expect(flows.find((f) => f.from === 'client-a' && f.to === 'direct' && f.protocol === 'tcp')?.port).toBe(8080);
  });

  it.each([
    [['--internet', '10.9.9.9'], 'natlab: --internet "10.9.9.9" must be a public unicast IPv4 address (it stands for any host on the internet)'],
    [['--port', 'ssh'], 'natlab: --port "ssh" is not a port number (1-65535)'],
    [['--protocol', 'gre'], "natlab: option '--protocol <protocol...>' argument 'gre' is invalid. Allowed choices are tcp, udp, icmp."],
    [['--template', 'no/such.yaml'], 'natlab: no/such.yaml: cannot read the template'],
  ])('bad input %j is one line and exit 2', (args, message) => {
    const r = natlab('findings', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});

describe('natlab walk in any VPC', () => {
  it('names hosts by logical id and by Name tag: --from EC2InstanceBastion --to picnic-instance-appb:22', () => {
    const r = natlab('walk', ...PICNIC, '--from', 'EC2InstanceBastion', '--to', 'picnic-instance-appb:22', '--json');
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    expect(w.verdict).toBe('delivered');
    expect(w.flow.to.ip).toBe('<EC2InstanceAppB private IP: any address of 10.20.11.0/24>');
  });

  it('ICMP takes no port: --to 8.8.8.8 --protocol icmp', () => {
    const r = natlab('walk', ...PICNIC, '--from', 'picnic-web-c', '--to', '8.8.8.8', '--protocol', 'icmp');
    expect(r.code).toBe(1); // the reply is dropped
    expect(r.stdout).toContain('icmp echo-request');
    expect(r.stdout).toContain('inbound rule 100 denies icmp echo-reply from 8.8.8.8');
    const withPort = natlab('walk', ...PICNIC, '--from', 'picnic-web-c', '--to', '8.8.8.8:80', '--protocol', 'icmp');
    expect(withPort.code).toBe(2);
    expect(withPort.stderr).toBe('natlab: --to "8.8.8.8:80" has a port, but an ICMP echo has none: give only the host (--to 8.8.8.8)\n');
  });

  it('--public sends to a host\'s public IP from inside its own VPC, and says when it has none', () => {
    const r = natlab('walk', ...PICNIC, '--from', 'EC2InstanceBastion', '--to', 'picnic-web-c:443', '--public', '--json');
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    expect(w.flow.to.ip).toBe('<Instance EC2InstanceWebC.PublicIp, known after deploy>');
    expect(w.observedAtDestination.srcIp).toBe('<EIP NatEipA.PublicIp, known after deploy>');
    const none = natlab('walk', ...PICNIC, '--from', 'EC2InstanceBastion', '--to', 'EC2InstanceAppB:22', '--public');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('natlab: --public: host "EC2InstanceAppB" has no public IP in topology network+security+app\n');
  });
});
