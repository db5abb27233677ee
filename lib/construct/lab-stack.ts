/**
 * The stack `npx cdk deploy` creates (bin/app.ts): one NatGatewayLab, environment-agnostic so
 * `cdk synth` needs no credentials and no lookups. Also turns cdk.json / `-c` context values
 * (strings) into typed props, with one-sentence errors.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { InputError } from '../errors';
import { NatGatewayLab, type NatGatewayLabProps } from './nat-gateway-lab';

/** The context keys bin/app.ts reads (cdk.json "context" or `-c key=value`). */
export const LAB_CONTEXT_KEYS = [
  'vpcCidr',
  'publicSubnetCidr',
  'privateSubnetCidr',
  'natPrivateIp',
  'eipAllocationId',
  'clientIps',
  'directClientIp',
  'sourcePort',
  'serverPort',
  'instanceType',
  'serverVpcCidr',
] as const;

export type LabContext = Partial<Record<(typeof LAB_CONTEXT_KEYS)[number], unknown>>;

function text(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  throw new InputError(`context ${key} ${JSON.stringify(value)} must be a string.`);
}

function integer(key: string, value: unknown): number | undefined {
  const t = text(key, value);
  if (t === undefined) return undefined;
  if (!/^-?\d+$/.test(t)) throw new InputError(`context ${key} "${t}" is not an integer.`);
  return Number(t);
}

function list(key: string, value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((v) => String(v).trim());
  const t = text(key, value);
  return t === undefined ? undefined : t.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Typed NatGatewayLab props from context strings; absent keys keep the construct's defaults. */
export function labPropsFromContext(context: LabContext): NatGatewayLabProps {
  const instanceType = text('instanceType', context.instanceType);
  if (instanceType !== undefined && !/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType)) {
    throw new InputError(`context instanceType "${instanceType}" is not an EC2 instance type (like t4g.nano).`);
  }
  return {
    vpcCidr: text('vpcCidr', context.vpcCidr),
    publicSubnetCidr: text('publicSubnetCidr', context.publicSubnetCidr),
    privateSubnetCidr: text('privateSubnetCidr', context.privateSubnetCidr),
    natPrivateIp: text('natPrivateIp', context.natPrivateIp),
    eipAllocationId: text('eipAllocationId', context.eipAllocationId),
    clientIps: list('clientIps', context.clientIps),
    directClientIp: text('directClientIp', context.directClientIp),
    sourcePort: integer('sourcePort', context.sourcePort),
    serverPort: integer('serverPort', context.serverPort),
    instanceType: instanceType === undefined ? undefined : new ec2.InstanceType(instanceType),
    serverVpcCidr: text('serverVpcCidr', context.serverVpcCidr),
  };
}

export interface NatGatewayLabStackProps extends StackProps {
  /**
   * The lab's props.
   * @default - the seed article's values, with `fixedOutputNames` on (the outputs `natlab verify --stack` reads)
   */
  readonly lab?: NatGatewayLabProps;
}

/** A stack holding one NatGatewayLab whose outputs carry the fixed names `natlab verify` reads. */
export class NatGatewayLabStack extends Stack {
  /** The lab. */
  readonly lab: NatGatewayLab;
  constructor(scope: Construct, id: string, props: NatGatewayLabStackProps = {}) {
    super(scope, id, {
      description: 'natlab: the NAT Gateway Deep Dive lab (VPC, NAT Gateway, clients, Lambda probe, echo server, flow logs)',
      ...props,
    });
    this.lab = new NatGatewayLab(this, 'Lab', { ...props.lab, fixedOutputNames: props.lab?.fixedOutputNames ?? true });
  }
}
