/** `natlab walk` and `natlab predict`, run as a user runs them: the built CLI in a child process. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'natlab.js');

function natlab(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NATLAB_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built CLI', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }, 120_000);

  describe('natlab predict', () => {
    it('--json prints one PredictResult document and exits 0 on the seed', () => {
      const r = natlab('predict', '--json');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.kind).toBe('predict');
      expect(doc.topology.name).toBe('seed');
      expect(doc.walks.map((w: { flow: { name: string } }) => w.flow.name)).toEqual(['client-a', 'client-b', 'direct']);
      expect(doc.walks[0].observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: { min: 1024, max: 65535, distinctFrom: ['client-b'] } });
      expect(doc.walks[2].observedAtDestination).toEqual({ srcIp: '203.0.113.10', srcPort: { exact: 32222 } });
    });

    it('prints the hop lists and the short answers for people', () => {
      const r = natlab('predict');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('the server sees 3.224.9.52:<1024-65535>, a port chosen by nat-xxx per connection');
      expect(r.stdout).toContain('the server sees 203.0.113.10:32222, unchanged');
      expect(r.stdout).toContain('step 8: ');
    });
  });

  describe('natlab predict: a flow may be expected to drop', () => {
    let tmp: string;
    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), 'natlab-predict-'));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    /** A scenario file with one text replaced (the replacement must happen). */
    function variant(name: string, scenario: string, from: string | RegExp, to: string): string {
      const text = readFileSync(join(ROOT, scenario), 'utf8');
      const changed = text.replace(typeof from === 'string' ? from : new RegExp(from.source, 'g'), to);
      expect(changed).not.toBe(text);
      const file = join(tmp, name);
      writeFileSync(file, changed);
      return file;
    }

    it.each(['scenarios/nacl-no-ephemeral.yaml', 'scenarios/broken-private-route.yaml', 'scenarios/public-ip-behind-nat.yaml'])('%s shows its drops as expected: exit 0', (scenario) => {
      const r = natlab('predict', '--scenario', scenario, '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).walks.some((w: { verdict: string; reply: { verdict: string } | null }) => w.verdict === 'dropped' || w.reply?.verdict === 'dropped')).toBe(true);
    });

    it('the same scenario without its expectations: exit 1, each dropped flow named', () => {
      const file = variant('no-expect.yaml', 'scenarios/nacl-no-ephemeral.yaml', /, expect: dropped/, '');
      const r = natlab('predict', '--scenario', file);
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^natlab: flow client-a was expected delivered but was dropped \(the reply: acl-public: network ACL acl-public \(public-no-ephemeral\) inbound has no rule allowing tcp\/1024-65535 /);
      expect(lines[2]).toMatch(/^natlab: flow direct was expected delivered but was dropped/);
    });

    it('a flow expected to drop that is delivered: exit 1, the flow named', () => {
      const file = variant('direct-expected-dropped.yaml', 'scenarios/broken-private-route.yaml', 'to: { host: server, port: 8080 } }', 'to: { host: server, port: 8080 }, expect: dropped }');
      const r = natlab('predict', '--scenario', file, '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).kind).toBe('predict');
      expect(r.stderr).toBe('natlab: flow direct was expected dropped but was delivered\n');
    });

    it('an expectation that is neither delivered nor dropped is bad input: exit 2', () => {
      const file = variant('bad-expect.yaml', 'scenarios/nacl-no-ephemeral.yaml', 'expect: dropped }', 'expect: lost }');
      const r = natlab('predict', '--scenario', file);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`natlab: ${file}: flows[0].expect: must be one of "delivered", "dropped"\n`);
    });
  });

  describe('natlab walk', () => {
    it('--json prints exactly the Walk shape of DESIGN.md section 4', () => {
      const r = natlab('walk', '--from', 'client-a:32222', '--to', 'server:8080', '--json');
      expect(r.code).toBe(0);
      const w = JSON.parse(r.stdout);
      expect(Object.keys(w).sort()).toEqual(['dropped', 'flow', 'hops', 'observedAtDestination', 'reply', 'translations', 'verdict']);
      expect(Object.keys(w.reply).sort()).toEqual(['dropped', 'hops', 'verdict']);
      expect(w.verdict).toBe('delivered');
      expect(w.dropped).toBeNull();
      expect(w.flow).toEqual({ name: 'client-a -> server:8080', protocol: 'tcp', from: { host: 'client-a', ip: '10.0.1.32', port: { exact: 32222 } }, to: { ip: '44.198.164.163', port: 8080 } });
      expect(Object.keys(w.hops[0]).sort()).toEqual(['action', 'after', 'before', 'component', 'detail', 'index', 'step']);
      expect(w.observedAtDestination).toEqual({ srcIp: '3.224.9.52', srcPort: { min: 1024, max: 65535 } });
    });

    it('walks a packet that starts on the internet: unsolicited, dropped at the NAT, exit 1', () => {
      const r = natlab('walk', '--from', '8.8.8.8:40000', '--to', '3.224.9.52:27318', '--json');
      expect(r.code).toBe(1);
      const w = JSON.parse(r.stdout);
      expect(w.verdict).toBe('dropped');
      expect(w.dropped.component).toBe('nat-xxx');
      expect(w.reply).toBeNull();
    });

    it('accepts a host by IP, with the default port "any", and renders text', () => {
      const r = natlab('walk', '--from', '10.0.0.10', '--to', '44.198.164.163:8080');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('the server sees 203.0.113.10:<1024-65535>');
    });

    it.each([
      [['walk', '--from', 'client-a', '--to', 'server'], '--to "server" needs a port', true],
      [['walk', '--from', 'client-a', '--to', 'server:99999'], 'port "99999"', true],
      [['walk', '--from', 'nobody:1', '--to', 'server:8080'], 'host "nobody" is not in topology seed', true],
      // A NAT gateway's address, private or public, is not a sender: the same sentence for both.
      [['walk', '--from', '10.0.0.226:40000', '--to', 'server:8080'], "10.0.0.226 is NAT gateway nat-xxx's private address, which starts and accepts no connection", true],
      [['walk', '--from', '3.224.9.52:40000', '--to', 'server:8080'], "3.224.9.52 is NAT gateway nat-xxx's public address, which starts and accepts no connection", true],
      // commander's own usage errors: the message, then the command's help.
      [['walk', '--from', 'client-a', '--to', 'server:8080', '--protocol', 'sctp'], 'sctp', false],
      [['walk', '--to', 'server:8080'], '--from', false],
    ])('bad input %j: exit 2, a message naming it, no stack trace', (args, message, oneLine) => {
      const r = natlab(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (oneLine) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});

describe('splitHostPort', () => {
  it('splits at the last colon, keeps unresolved addresses whole, and names bad ports', async () => {
    const { splitHostPort } = await import('../../lib/cli/walk');
    expect(splitHostPort('8.8.8.8:40000', '--from', false)).toEqual({ host: '8.8.8.8', port: 40000 });
    expect(splitHostPort('client-a', '--from', false)).toEqual({ host: 'client-a' });
    expect(splitHostPort('<Fn::GetAtt Eip.PublicIp>:8080', '--to', true)).toEqual({ host: '<Fn::GetAtt Eip.PublicIp>', port: 8080 });
    expect(() => splitHostPort('<Fn::GetAtt Eip.PublicIp>', '--to', true)).toThrow('needs a port');
    expect(() => splitHostPort('server:http', '--to', true)).toThrow('port "http"');
  });
});
