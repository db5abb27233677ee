/**
 * Resolves CloudFormation intrinsic functions as far as a template alone allows: Ref,
 * Fn::GetAtt, Fn::Select, Fn::GetAZs, Fn::Join, Fn::Split, Fn::Sub, Fn::If (with Conditions),
 * Fn::FindInMap, Fn::ImportValue across the given templates. A value that exists only after
 * deploy becomes `<where it comes from>` (an unresolved IpValue), never an invented one.
 */
import { InputError } from '../../errors';
import type { CfnResource, CfnTemplate } from './cfn-parse';
import { formatIp, parseCidr, type Cidr } from '../../model/address';
import { unresolvedIp } from './unresolved';

/** One template being resolved. */
export interface StackInput {
  readonly file: string;
  /** Stack name (from the file name: `NatGatewayLab.template.json` -> `NatGatewayLab`). */
  readonly stack: string;
  readonly template: CfnTemplate;
}

/** `AWS::NoValue`: removes the property or list item it stands in. */
export const NO_VALUE = Symbol('AWS::NoValue');

export class CfnResolver {
  /** AZ names assumed for Fn::GetAZs: `<region>a`, `<region>b`, ... (a template does not know them). */
  readonly assumedAzs: string[];
  /** Set once a template used Fn::GetAZs, so the topology can say its AZ names are assumed. */
  usedGetAzs = false;
  private readonly exports = new Map<string, { stack: StackInput; value: unknown }>();
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    readonly stacks: readonly StackInput[],
    readonly region: string,
  ) {
    this.assumedAzs = ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => `${region}${s}`);
    for (const stack of stacks) {
      for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (output.Export?.Name === undefined) continue;
        const exportName = this.resolve(stack, output.Export.Name, `Outputs.${name}.Export.Name`);
        if (typeof exportName === 'string') this.exports.set(exportName, { stack, value: output.Value });
      }
    }
  }

  /** The topology id of a resource: its logical id, qualified by stack when there are several templates. */
  idOf(stack: StackInput, logicalId: string): string {
    return this.stacks.length > 1 ? `${stack.stack}/${logicalId}` : logicalId;
  }

  /** True when the resource's Condition (if any) holds. */
  included(stack: StackInput, resource: CfnResource): boolean {
    return resource.Condition === undefined || this.condition(stack, resource.Condition);
  }

  /** Resolves a property value; `path` names it in errors (`Resources.X.Properties.CidrBlock`). */
  resolve(stack: StackInput, value: unknown, path: string): unknown {
    if (Array.isArray(value)) return value.map((v, i) => this.resolve(stack, v, `${path}[${i}]`)).filter((v) => v !== NO_VALUE);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) return this.intrinsic(stack, entries[0][0], entries[0][1], path);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolve(stack, v, `${path}.${k}`);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(stack: StackInput, fn: string, arg: unknown, path: string): unknown {
    const bad = (what: string): never => {
      throw new InputError(`${stack.file}: ${path}: ${fn} ${what}`);
    };
    switch (fn) {
      case 'Ref':
        if (typeof arg !== 'string') bad('takes a name');
        return this.ref(stack, arg as string, path);
      case 'Fn::GetAtt': {
        const [logical, ...attr] = Array.isArray(arg) ? (arg as unknown[]).map((a) => this.resolve(stack, a, path)) : String(arg).split('.');
        if (typeof logical !== 'string' || attr.length === 0) bad('takes [resource, attribute]');
        return this.getAtt(stack, logical as string, attr.join('.'), path);
      }
      case 'Fn::Select': {
        const [index, list] = this.args(stack, arg, 2, fn, path);
        const items = Array.isArray(list) ? list : bad('needs a list');
        const i = Number(index);
        if (!Number.isInteger(i) || i < 0 || i >= (items as unknown[]).length) bad(`index ${String(index)} is outside the list of ${(items as unknown[]).length}`);
        return (items as unknown[])[i];
      }
      case 'Fn::GetAZs':
        this.usedGetAzs = true;
        return this.assumedAzs.slice(0, 3);
      case 'Fn::Join': {
        const [separator, list] = this.args(stack, arg, 2, fn, path);
        if (!Array.isArray(list)) return unresolvedIp(`Fn::Join over a list known after deploy`);
        return list.map((x) => String(x)).join(String(separator));
      }
      case 'Fn::Split': {
        const [separator, text] = this.args(stack, arg, 2, fn, path);
        return String(text).split(String(separator));
      }
      case 'Fn::Sub':
        return this.sub(stack, arg, path);
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3) bad('takes [condition, then, else]');
        const [cond, yes, no] = arg as unknown[];
        return this.resolve(stack, this.condition(stack, String(cond)) ? yes : no, path);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.args(stack, arg, 3, fn, path);
        const value = stack.template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
        if (value === undefined) bad(`finds nothing at ${String(map)}.${String(top)}.${String(second)}`);
        return this.resolve(stack, value, path);
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, arg, path);
        const exported = typeof name === 'string' ? this.exports.get(name) : undefined;
        if (!exported) return unresolvedIp(`Fn::ImportValue ${String(name)}, exported by none of the given templates`);
        return this.resolve(exported.stack, exported.value, `Outputs exporting ${String(name)}`);
      }
      case 'Fn::Cidr': {
        const [block, count, bits] = this.args(stack, arg, 3, fn, path);
        const parsed = typeof block === 'string' ? cidrOrUndefined(block) : undefined;
        if (!parsed) return unresolvedIp(`Fn::Cidr of ${String(block)}`);
        const size = 2 ** Number(bits);
        return Array.from({ length: Number(count) }, (_x, i) => `${formatIp(parsed.network + i * size)}/${32 - Number(bits)}`);
      }
      case 'Fn::Base64':
        return this.resolve(stack, arg, path);
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.evaluate(stack, { [fn]: arg }, path);
      default:
        return unresolvedIp(`${fn} at ${path}, evaluated by CloudFormation`);
    }
  }

  private args(stack: StackInput, arg: unknown, count: number, fn: string, path: string): unknown[] {
    if (!Array.isArray(arg) || arg.length !== count) throw new InputError(`${stack.file}: ${path}: ${fn} takes ${count} arguments`);
    return arg.map((a, i) => this.resolve(stack, a, `${path}.${fn}[${i}]`));
  }

  private ref(stack: StackInput, name: string, path: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::StackName':
        return stack.stack;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::AccountId':
      case 'AWS::StackId':
      case 'AWS::NotificationARNs':
        return unresolvedIp(`${name}, known after deploy`);
    }
    const parameter = stack.template.Parameters?.[name];
    if (parameter) {
      // SSM-backed parameters (the CDK's AMI lookups) are read at deploy time.
      if (parameter.Default !== undefined && !String(parameter.Type ?? '').startsWith('AWS::SSM::')) return this.resolve(stack, parameter.Default, `Parameters.${name}.Default`);
      return unresolvedIp(`Parameter ${name}, given at deploy`);
    }
    const resource = stack.template.Resources[name];
    if (!resource) throw new InputError(`${stack.file}: ${path}: Ref names "${name}", which is neither a parameter nor a resource`);
    // Ref of an Elastic IP is its address; of everything natlab reads, the resource's id.
    if (resource.Type === 'AWS::EC2::EIP') return eipPublicIp(name);
    return this.idOf(stack, name);
  }

  private getAtt(stack: StackInput, logical: string, attr: string, path: string): unknown {
    const resource = stack.template.Resources[logical];
    if (!resource) throw new InputError(`${stack.file}: ${path}: Fn::GetAtt names "${logical}", which is not a resource`);
    const props = resource.Properties ?? {};
    const id = this.idOf(stack, logical);
    const prop = (key: string): unknown => (props[key] === undefined ? undefined : this.resolve(stack, props[key], `Resources.${logical}.Properties.${key}`));
    const later = (what: string) => unresolvedIp(`${shortType(resource.Type)} ${logical}.${what}, known after deploy`);
    switch (`${resource.Type}.${attr}`) {
      case 'AWS::EC2::EIP.PublicIp':
        return eipPublicIp(logical);
      case 'AWS::EC2::EIP.AllocationId':
        return id;
      case 'AWS::EC2::VPC.CidrBlock':
        return prop('CidrBlock');
      case 'AWS::EC2::VPC.VpcId':
        return id;
      case 'AWS::EC2::VPC.DefaultSecurityGroup':
        return `${id}/DefaultSecurityGroup`;
      case 'AWS::EC2::VPC.DefaultNetworkAcl':
        return `${id}/DefaultNetworkAcl`;
      case 'AWS::EC2::Subnet.SubnetId':
        return id;
      case 'AWS::EC2::Subnet.AvailabilityZone':
        return prop('AvailabilityZone') ?? later(attr);
      case 'AWS::EC2::Subnet.CidrBlock':
        return prop('CidrBlock');
      case 'AWS::EC2::Subnet.VpcId':
        return prop('VpcId');
      case 'AWS::EC2::SecurityGroup.GroupId':
        return id;
      case 'AWS::EC2::SecurityGroup.VpcId':
        return prop('VpcId');
      case 'AWS::EC2::Instance.PrivateIp': {
        const primary = (prop('NetworkInterfaces') as Array<Record<string, unknown>> | undefined)?.find((n) => String(n.DeviceIndex ?? '0') === '0');
        return prop('PrivateIpAddress') ?? primary?.PrivateIpAddress ?? later(attr);
      }
      case 'AWS::EC2::Instance.PublicIp':
        return later(attr);
      case 'AWS::EC2::Instance.InstanceId':
        return id;
      case 'AWS::EC2::NatGateway.NatGatewayId':
        return id;
      default:
        return lookedUpElasticIp(resource, attr) ?? later(attr);
    }
  }

  private sub(stack: StackInput, arg: unknown, path: string): unknown {
    const [template, vars] = Array.isArray(arg) ? [arg[0], this.resolve(stack, arg[1] ?? {}, path) as Record<string, unknown>] : [arg, {}];
    if (typeof template !== 'string') throw new InputError(`${stack.file}: ${path}: Fn::Sub takes a string`);
    return template.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in vars) return String(vars[name]);
      const dot = name.indexOf('.');
      const value = dot > 0 && !name.startsWith('AWS::') ? this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1), path) : this.ref(stack, name, path);
      return String(value);
    });
  }

  private condition(stack: StackInput, name: string): boolean {
    const key = `${stack.stack}/${name}`;
    const cached = this.conditionCache.get(key);
    if (cached !== undefined) return cached;
    const definition = stack.template.Conditions?.[name];
    if (definition === undefined) throw new InputError(`${stack.file}: condition "${name}" is not defined in Conditions`);
    const value = this.evaluate(stack, definition, `Conditions.${name}`);
    this.conditionCache.set(key, value);
    return value;
  }

  private evaluate(stack: StackInput, definition: unknown, path: string): boolean {
    const [fn, arg] = Object.entries(definition as Record<string, unknown>)[0] ?? [];
    const list = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = list.map((x, i) => this.resolve(stack, x, `${path}[${i}]`));
        if ([a, b].some((x) => typeof x === 'string' && x.startsWith('<'))) throw new InputError(`${stack.file}: ${path}: cannot decide Fn::Equals before deploy (${String(a)} vs ${String(b)})`);
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.evaluate(stack, list[0], `${path}[0]`);
      case 'Fn::And':
        return list.every((x, i) => this.evaluate(stack, x, `${path}[${i}]`));
      case 'Fn::Or':
        return list.some((x, i) => this.evaluate(stack, x, `${path}[${i}]`));
      case 'Condition':
        return this.condition(stack, String(arg));
      default:
        throw new InputError(`${stack.file}: ${path}: not a condition (${String(fn)})`);
    }
  }
}

/** The address of an Elastic IP a template allocates. */
export function eipPublicIp(logicalId: string): string {
  return unresolvedIp(`EIP ${logicalId}.PublicIp, known after deploy`);
}

/** The address of an Elastic IP allocated outside the templates (a literal `eipalloc-...`). */
export function allocationPublicIp(allocationId: string): string {
  return unresolvedIp(`Elastic IP ${allocationId}, address known after deploy`);
}

/**
 * The CDK's AwsCustomResource pattern for an existing Elastic IP: `Custom::AWS` calling
 * EC2 describeAddresses for an allocation id; its `Addresses.N.PublicIp` is that EIP's address,
 * the same value the NAT Gateway using the allocation has.
 */
function lookedUpElasticIp(resource: CfnResource, attr: string): string | undefined {
  const index = /^Addresses\.(\d+)\.PublicIp$/.exec(attr)?.[1];
  const create = resource.Properties?.Create;
  if (!resource.Type.startsWith('Custom::') || index === undefined || typeof create !== 'string') return undefined;
  try {
    const call = JSON.parse(create) as { service?: string; action?: string; parameters?: { AllocationIds?: unknown[] } };
    const allocation = call.parameters?.AllocationIds?.[Number(index)];
    if (/^ec2$/i.test(call.service ?? '') && /^describeAddresses$/i.test(call.action ?? '') && typeof allocation === 'string') return allocationPublicIp(allocation);
  } catch {
    // not the pattern: the attribute stays "known after deploy"
  }
  return undefined;
}

function shortType(type: string): string {
  return type.split('::').pop() ?? type;
}

/** A block Fn::Cidr can split, or undefined (a token, a typo) so the result stays unresolved. */
function cidrOrUndefined(text: string): Cidr | undefined {
  try {
    return parseCidr(text);
  } catch {
    return undefined;
  }
}
