/**
 * The CDK's own way to verify the lab (@aws-cdk/integ-tests-alpha): deploy NatGatewayLab,
 * invoke the probe and check that the server saw the NAT Gateway's Elastic IP, then have the
 * lab's verifier function run the whole verification in the account (`{ action: 'verify' }`,
 * the probe reached by Lambda Invoke as the CLI reaches it: both seed clients
 * through SSM from port 32222, the EIP at the server, distinct NAT ports, the direct client's
 * port kept) and check that every check held; integ-runner destroys the stack afterwards.
 *
 * Offline, `npm run integ:snapshot` synthesizes this app and compares it with the committed
 * snapshot (test/integ/integ.nat-gateway-lab.ts.snapshot); it never deploys. A real run:
 * `npx integ-runner --directory test/integ --app 'npx tsx {filePath}' --update-on-failed`
 * with credentials for a sandbox account.
 */
import { App, Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { NatGatewayLabStack } from '../../lib/construct/lab-stack';
import { LAB_DEFAULTS } from '../../lib/construct/nat-gateway-lab';

const app = new App();
const stack = new NatGatewayLabStack(app, 'NatGatewayLabInteg');
// The lab adds the verifier function by default (NatGatewayLabProps.inAccountVerify).
const lab = stack.lab;
if (!lab.verifier) throw new Error('the integ lab needs its verifier (inAccountVerify)');

const integ = new IntegTest(app, 'NatGatewayLabIntegTest', {
  testCases: [stack],
  // The lab has instances and an Elastic IP: always tear it down, even after a failure.
  cdkCommandOptions: { destroy: { args: { force: true } } },
  regions: ['us-east-1'],
});

const server = lab.server.instance.instancePublicIp;
const sourcePort = LAB_DEFAULTS.sourcePort;
const serverPort = LAB_DEFAULTS.serverPort;

// 1. The probe from the private subnet: the server sees the NAT Gateway's Elastic IP.
integ.assertions
  .invokeFunction({
    functionName: lab.probe.functionName,
    payload: JSON.stringify({ action: 'probe', host: server, port: serverPort, sourcePort }),
  })
  .expect(ExpectedResult.objectLike({ Payload: Match.serializedJson(Match.objectLike({ ok: true, serverSaw: Match.objectLike({ srcIp: lab.natPublicIp }) })) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) });

// 2. The whole verification from inside the account, flow logs skipped (the assertion
//    provider gives each call two minutes): each seed client is seen at the EIP from its own
//    NAT port (compare.ok includes the distinct-port checks), the direct client at its own
//    public IP and port 32222. Retried until the instances have registered with SSM.
integ.assertions
  .invokeFunction({
    functionName: lab.verifier.functionName,
    payload: JSON.stringify({ action: 'verify', stackName: stack.stackName, skipFlowLogs: true, timeoutSsmSeconds: 30 }),
  })
  .expect(
    ExpectedResult.objectLike({
      Payload: Match.serializedJson(
        Match.objectLike({
          kind: 'verify',
          compare: Match.objectLike({
            ok: true,
            flows: Match.arrayWith([
              Match.objectLike({ name: 'client-a', ok: true, observed: Match.objectLike({ srcIp: lab.natPublicIp }) }),
              Match.objectLike({ name: 'client-b', ok: true, observed: Match.objectLike({ srcIp: lab.natPublicIp }) }),
              Match.objectLike({ name: 'direct', ok: true, observed: { srcIp: lab.directClient?.publicIp ?? '', srcPort: sourcePort } }),
            ]),
          }),
        }),
      ),
    }),
  )
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });

app.synth();
