/**
 * `natlab/constructs` at run time: the exports of lib/construct/index.ts (whose declarations
 * the package's `types` point at), each module required the first time one of its exports is
 * read, as aws-cdk-lib's own entry points do. Requiring the entry then costs next to nothing;
 * the CDK code a construct needs loads when the app first uses it. No AWS SDK, CLI, schema or
 * bundler code is reachable from here. test/construct/entry.test.ts holds the list to the index.
 */
const modules: Record<string, () => Record<string, unknown>> = {
  'nat-gateway-lab': () => require('./construct/nat-gateway-lab'),
  'nat-probe': () => require('./construct/nat-probe'),
  'lab-stack': () => require('./construct/lab-stack'),
  'echo-server-host': () => require('./construct/private/echo-server-host'),
  outputs: () => require('./construct/outputs'),
  'flow-log-format': () => require('./construct/flow-log-format'),
  nag: () => require('./construct/private/nag'),
  'verify-permissions': () => require('./construct/private/verify-permissions'),
  'verify-actions': () => require('./construct/verify-actions'),
};

/** Each runtime export of the constructs entry and the module that defines it. */
const LAZY_EXPORTS: Readonly<Record<string, keyof typeof modules>> = {
  NatGatewayLab: 'nat-gateway-lab',
  LAB_DEFAULTS: 'nat-gateway-lab',
  FLOWS_METADATA_KEY: 'nat-gateway-lab',
  validateLabProps: 'nat-gateway-lab',
  NatProbe: 'nat-probe',
  NatGatewayLabStack: 'lab-stack',
  labPropsFromContext: 'lab-stack',
  LAB_CONTEXT_KEYS: 'lab-stack',
  EchoServerHost: 'echo-server-host',
  LabOutputs: 'outputs',
  LAB_FLOW_LOG_FIELDS: 'flow-log-format',
  LAB_FLOW_LOG_FORMAT: 'flow-log-format',
  NagTreePlugin: 'nag',
  acknowledge: 'nag',
  grantInAccountVerify: 'verify-permissions',
  VERIFY_READ_ACTIONS: 'verify-actions',
};

for (const [name, file] of Object.entries(LAZY_EXPORTS)) {
  Object.defineProperty(module.exports, name, { enumerable: true, get: () => modules[file]()[name] });
}

// A module (exports defined above), not a script.
export {};
