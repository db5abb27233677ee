/**
 * Resolves CloudFormation intrinsic functions as far as a template alone allows: Ref,
 * Fn::GetAtt, Fn::Select, Fn::GetAZs, Fn::Join, Fn::Split, Fn::Sub, Fn::If (with Conditions),
 * Fn::FindInMap, Fn::ImportValue across the given templates. A value that exists only after
 * deploy becomes `<where it comes from>` (an unresolved IpValue), never an invented one.
 */
import { InputError } from '../../errors';
import { describe, isObject, type CfnResource, type CfnTemplate } from './cfn-parse';
import { formatIp, parseCidr, type Cidr } from '../../model/address';
import { isUnresolved, unresolvedIp } from './unresolved';

/** One template being resolved. */
export interface StackInput {
  readonly file: string;
  /** Stack name (from the file name: `NatGatewayLab.template.json` -> `NatGatewayLab`); unique among the given templates. */
  readonly stack: string;
  readonly template: CfnTemplate;
  /**
   * Parameter values given for this stack (`--parameter`, `--parameters`), as CloudFormation takes them: text.
   * @default - none: parameters take their Default, or stay values given at deploy
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** `AWS::NoValue`: removes the property or list item it stands in. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Fn::Cidr makes at most 256 blocks (CloudFormation's limit). */
const MAX_CIDR_COUNT = 256;
/** References followed one inside another (GetAtt of a property holding a GetAtt ...) before natlab gives up. */
const MAX_REFERENCE_DEPTH = 100;

/** A parameter without a value, as its unresolved token names it; conditions on it name the parameter to pass. */
const PARAMETER_TOKEN = /^<Parameter ([A-Za-z0-9]+), given at deploy>$/;

/** Something being resolved, for cycle detection: `Conditions.A`, `Resources.B.Properties.C`, `export X`. */
interface Visit {
  readonly stack: StackInput;
  readonly what: string;
}

export class CfnResolver {
  /** AZ names assumed for Fn::GetAZs: `<region>a`, `<region>b`, ... (a template does not know them). */
  readonly assumedAzs: string[];
  /** Set once a template used Fn::GetAZs, so the topology can say its AZ names are assumed. */
  usedGetAzs = false;
  private readonly exports = new Map<string, { stack: StackInput; output: string; value: unknown }>();
  private readonly conditionCache = new Map<StackInput, Map<string, boolean>>();
  private readonly visiting: Visit[] = [];

  constructor(
    readonly stacks: readonly StackInput[],
    readonly region: string,
  ) {
    this.assumedAzs = azsOf(region);
    for (const stack of stacks) {
      for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (output.Export?.Name === undefined) continue;
        const path = `Outputs.${name}.Export.Name`;
        const exportName = this.resolve(stack, output.Export.Name, path);
        if (typeof exportName !== 'string') throw new InputError(`${stack.file}: ${path}: expected a string, got ${describe(exportName)}`);
        const earlier = this.exports.get(exportName);
        // CloudFormation refuses a second stack exporting a name already exported in the region.
        if (earlier) throw new InputError(`${stack.file}: ${path}: "${exportName}" is already exported by ${earlier.stack.file} (Outputs.${earlier.output})`);
        this.exports.set(exportName, { stack, output: name, value: output.Value });
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

  /**
   * Runs `fn` with `what` marked as being resolved: meeting it again inside is a cycle, an
   * error that names the chain; a chain past MAX_REFERENCE_DEPTH is refused too.
   */
  private visit<T>(stack: StackInput, what: string, path: string, fn: () => T, from: StackInput = stack): T {
    const at = this.visiting.findIndex((v) => v.stack === stack && v.what === what);
    if (at >= 0) {
      const chain = [...this.visiting.slice(at), { stack, what }];
      const oneFile = chain.every((v) => v.stack === stack);
      const names = chain.map((v) => (oneFile ? v.what : `${v.stack.file} ${v.what}`));
      throw new InputError(`${from.file}: ${path}: a cycle: ${names.join(' -> ')}`);
    }
    if (this.visiting.length >= MAX_REFERENCE_DEPTH) throw new InputError(`${from.file}: ${path}: references nest more than ${MAX_REFERENCE_DEPTH} deep`);
    this.visiting.push({ stack, what });
    try {
      return fn();
    } finally {
      this.visiting.pop();
    }
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
        const [logical, ...attr] = Array.isArray(arg) ? (arg as unknown[]).map((a) => this.resolve(stack, a, path)) : typeof arg === 'string' ? arg.split('.') : bad('takes [resource, attribute]');
        if (typeof logical !== 'string' || attr.length === 0 || attr.some((a) => typeof a !== 'string')) bad('takes [resource, attribute]');
        return this.getAtt(stack, logical as string, attr.join('.'), path);
      }
      case 'Fn::Select': {
        const [index, list] = this.args(stack, arg, 2, fn, path);
        // An index or a list known only at deploy: the item is a value of its own, named by where it comes from.
        if (isToken(list) || isToken(index)) return unresolvedIp(`item ${tokenText(index)} of ${tokenText(list)}`);
        if (!Array.isArray(list)) bad(`needs a list, got ${describe(list)}`);
        const items = list as unknown[];
        const i = Number(index);
        if (!Number.isInteger(i) || i < 0 || i >= items.length) bad(`index ${describe(index)} is outside the list of ${items.length}`);
        return items[i];
      }
      case 'Fn::GetAZs': {
        const region = this.resolve(stack, arg, `${path}.Fn::GetAZs`);
        if (isToken(region)) return unresolvedIp(`the AZs of ${tokenText(region)}`);
        if (typeof region !== 'string') bad(`takes a region name, got ${describe(region)}`);
        this.usedGetAzs = true;
        return region === '' || region === this.region ? this.assumedAzs : azsOf(region as string);
      }
      case 'Fn::Join': {
        const [separator, list] = this.args(stack, arg, 2, fn, path);
        if (isToken(list)) return unresolvedIp(`${tokenText(list)} joined by "${String(separator)}"`);
        if (!Array.isArray(list)) bad(`needs a list, got ${describe(list)}`);
        if (typeof separator !== 'string') bad(`takes a text separator, got ${describe(separator)}`);
        return (list as unknown[]).map((x) => scalarText(x, () => bad(`joins only texts, got ${describe(x)}`))).join(separator as string);
      }
      case 'Fn::Split': {
        const [separator, text] = this.args(stack, arg, 2, fn, path);
        if (typeof separator !== 'string' || separator === '') bad(`takes a text separator, got ${describe(separator)}`);
        if (isToken(text)) return unresolvedIp(`${tokenText(text)} split at "${String(separator)}"`);
        if (typeof text !== 'string') bad(`splits a text, got ${describe(text)}`);
        return (text as string).split(separator as string);
      }
      case 'Fn::Sub':
        return this.sub(stack, arg, path);
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') bad('takes [condition, then, else]');
        const [cond, yes, no] = arg as unknown[];
        return this.resolve(stack, this.condition(stack, cond as string, path) ? yes : no, path);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.args(stack, arg, 3, fn, path);
        if ([map, top, second].some(isToken)) return unresolvedIp(`Fn::FindInMap [${[map, top, second].map(tokenText).join(', ')}]`);
        const where = `Mappings.${String(map)}.${String(top)}.${String(second)}`;
        const value = stack.template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
        if (value === undefined) bad(`finds nothing at ${where}`);
        return this.visit(stack, where, path, () => this.resolve(stack, value, where));
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, arg, path);
        const exported = typeof name === 'string' ? this.exports.get(name) : undefined;
        if (!exported) return unresolvedIp(`Fn::ImportValue ${tokenText(name)}, exported by none of the given templates`);
        const where = `Outputs.${exported.output}.Value`;
        return this.visit(exported.stack, where, path, () => this.resolve(exported.stack, exported.value, where), stack);
      }
      case 'Fn::Cidr':
        return this.cidr(stack, arg, path);
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

  /** Fn::Cidr: `count` blocks of `bits` host bits each, from the start of `block`; an unknown block gives a named list. */
  private cidr(stack: StackInput, arg: unknown, path: string): unknown {
    const [block, count, bits] = this.args(stack, arg, 3, 'Fn::Cidr', path);
    const bad = (what: string): never => {
      throw new InputError(`${stack.file}: ${path}: Fn::Cidr ${what}`);
    };
    const n = Number(count);
    const b = Number(bits);
    if (!isToken(count) && (!Number.isInteger(n) || n < 1 || n > MAX_CIDR_COUNT)) bad(`count ${describe(count)} is not a whole number from 1 to ${MAX_CIDR_COUNT}`);
    if (!isToken(bits) && (!Number.isInteger(b) || b < 1 || b > 128)) bad(`cidrBits ${describe(bits)} is not a whole number from 1 to 128`);
    const ipv4 = typeof block === 'string' && !block.includes(':') ? cidrOrUndefined(block) : undefined;
    if (typeof block === 'string' && !isToken(block) && !block.includes('<') && !block.includes(':') && !ipv4) bad(`block "${block}" is not a CIDR block`);
    if (!ipv4 || isToken(count) || isToken(bits)) return unresolvedIp(`Fn::Cidr [${[block, count, bits].map(tokenText).join(', ')}]`);
    if (b > 32 - ipv4.prefix) bad(`cidrBits ${b} does not fit in ${ipv4.text} (at most ${32 - ipv4.prefix})`);
    const available = 2 ** (32 - ipv4.prefix - b);
    if (n > available) bad(`count ${n} is more than the ${available} blocks of /${32 - b} in ${ipv4.text}`);
    const size = 2 ** b;
    return Array.from({ length: n }, (_x, i) => `${formatIp(ipv4.network + i * size)}/${32 - b}`);
  }

  private args(stack: StackInput, arg: unknown, count: number, fn: string, path: string): unknown[] {
    if (!Array.isArray(arg) || arg.length !== count) throw new InputError(`${stack.file}: ${path}: ${fn} takes ${count} arguments`);
    return arg.map((a, i) => {
      const value = this.resolve(stack, a, `${path}.${fn}[${i}]`);
      // AWS::NoValue removes a property or list item; as a function's argument it is nothing to compute with.
      if (value === NO_VALUE) throw new InputError(`${stack.file}: ${path}.${fn}[${i}]: AWS::NoValue is not a value ${fn} can take`);
      return value;
    });
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
    if (parameter) return this.parameter(stack, name, path);
    const resource = stack.template.Resources[name];
    if (!resource) throw new InputError(`${stack.file}: ${path}: Ref names "${name}", which is neither a parameter nor a resource`);
    // Ref of an Elastic IP is its address; of everything natlab reads, the resource's id.
    if (resource.Type === 'AWS::EC2::EIP') return eipPublicIp(name);
    return this.idOf(stack, name);
  }

  /** A parameter's value: the one given, else its Default, else a value given at deploy (named). */
  private parameter(stack: StackInput, name: string, path: string): unknown {
    const parameter = stack.template.Parameters![name];
    const type = parameter.Type ?? 'String';
    const given = stack.parameters?.[name];
    // SSM-backed parameters (the CDK's AMI lookups) hold the name of an SSM parameter read at deploy.
    if (type.startsWith('AWS::SSM::')) return unresolvedIp(`SSM parameter ${given ?? String(parameter.Default ?? name)}, read at deploy`);
    let value: unknown;
    if (given !== undefined) value = given;
    else if (parameter.Default !== undefined) value = this.visit(stack, `Parameters.${name}.Default`, path, () => this.resolve(stack, parameter.Default, `Parameters.${name}.Default`));
    else return unresolvedIp(`Parameter ${name}, given at deploy`);
    // A list parameter is given as comma-separated text; Ref gives the list.
    if (isListType(type) && typeof value === 'string') return value.split(',').map((x) => x.trim());
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }

  private getAtt(stack: StackInput, logical: string, attr: string, path: string): unknown {
    const resource = stack.template.Resources[logical];
    if (!resource) throw new InputError(`${stack.file}: ${path}: Fn::GetAtt names "${logical}", which is not a resource`);
    const props = resource.Properties ?? {};
    const id = this.idOf(stack, logical);
    const prop = (key: string): unknown => {
      if (props[key] === undefined) return undefined;
      const where = `Resources.${logical}.Properties.${key}`;
      return this.visit(stack, where, path, () => this.resolve(stack, props[key], where));
    };
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
        const interfaces = prop('NetworkInterfaces');
        const primary = Array.isArray(interfaces) ? (interfaces as unknown[]).find((n): n is Record<string, unknown> => isObject(n) && String(n.DeviceIndex ?? '0') === '0') : undefined;
        return prop('PrivateIpAddress') ?? primary?.PrivateIpAddress ?? later(attr);
      }
      case 'AWS::EC2::Instance.PublicIp':
        return later(attr);
      case 'AWS::EC2::Instance.InstanceId':
        return id;
      case 'AWS::EC2::NatGateway.NatGatewayId':
        return id;
      case 'AWS::EC2::EgressOnlyInternetGateway.Id':
      case 'AWS::EC2::VPCEndpoint.Id':
      case 'AWS::EC2::PrefixList.PrefixListId':
        return id;
      default:
        return lookedUpElasticIp(resource, attr) ?? later(attr);
    }
  }

  private sub(stack: StackInput, arg: unknown, path: string): unknown {
    const bad = (what: string): never => {
      throw new InputError(`${stack.file}: ${path}: Fn::Sub ${what}`);
    };
    if (Array.isArray(arg) && arg.length !== 2) bad('takes a text, or [text, variables]');
    const [template, rawVars] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof template !== 'string') bad(`takes a text, got ${describe(template)}`);
    const vars = this.resolve(stack, rawVars, `${path}.Fn::Sub[1]`);
    if (!isObject(vars)) bad(`takes its variables as a mapping, got ${describe(vars)}`);
    const variables = vars as Record<string, unknown>;
    return (template as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const dot = name.indexOf('.');
      const value = Object.hasOwn(variables, name)
        ? variables[name]
        : dot > 0 && !name.startsWith('AWS::')
          ? this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1), path)
          : this.ref(stack, name, path);
      return scalarText(value, () => bad(`variable \${${name}} is ${describe(value)}, not a text`));
    });
  }

  private condition(stack: StackInput, name: string, path = `Conditions.${name}`): boolean {
    let cache = this.conditionCache.get(stack);
    if (!cache) this.conditionCache.set(stack, (cache = new Map()));
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const definition = stack.template.Conditions?.[name];
    if (definition === undefined) throw new InputError(`${stack.file}: condition "${name}" is not defined in Conditions`);
    const value = this.visit(stack, `Conditions.${name}`, path, () => this.evaluate(stack, definition, `Conditions.${name}`));
    cache.set(name, value);
    return value;
  }

  private evaluate(stack: StackInput, definition: unknown, path: string): boolean {
    const bad = (what: string): never => {
      throw new InputError(`${stack.file}: ${path}: ${what}`);
    };
    if (!isObject(definition) || Object.keys(definition).length !== 1) bad(`not a condition (expected one of Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), got ${describe(definition)}`);
    const [fn, arg] = Object.entries(definition as Record<string, unknown>)[0];
    const list = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Fn::Equals': {
        if (list.length !== 2) bad('Fn::Equals takes 2 values');
        const [a, b] = list.map((x, i) => this.resolve(stack, x, `${path}[${i}]`));
        const unknown = [a, b].find(isToken) as string | undefined;
        if (unknown !== undefined) {
          const parameter = PARAMETER_TOKEN.exec(unknown)?.[1];
          const allowed = parameter ? stack.template.Parameters?.[parameter]?.AllowedValues : undefined;
          const choices = Array.isArray(allowed) ? ` (one of ${allowed.map(String).join(', ')})` : '';
          if (parameter) bad(`depends on parameter ${parameter}, which has no default: pass --parameter ${parameter}=VALUE${choices}`);
          bad(`cannot decide Fn::Equals before deploy (${String(a)} vs ${String(b)})`);
        }
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        if (list.length !== 1) bad('Fn::Not takes 1 condition');
        return !this.evaluate(stack, list[0], `${path}[0]`);
      case 'Fn::And':
      case 'Fn::Or':
        if (list.length < 1) bad(`${fn} takes a list of conditions`);
        return fn === 'Fn::And' ? list.every((x, i) => this.evaluate(stack, x, `${path}[${i}]`)) : list.some((x, i) => this.evaluate(stack, x, `${path}[${i}]`));
      case 'Condition':
        if (typeof arg !== 'string') bad(`Condition takes a condition name, got ${describe(arg)}`);
        return this.condition(stack, arg as string, path);
      default:
        return bad(`not a condition (${fn})`);
    }
  }
}

/** True for a value only known at deploy (`<...>`). */
function isToken(value: unknown): boolean {
  return typeof value === 'string' && isUnresolved(value);
}

/** A value inside another token's description: a token without its brackets, anything else as text. */
function tokenText(value: unknown): string {
  if (isToken(value)) return (value as string).slice(1, -1);
  return typeof value === 'string' ? value : describe(value);
}

/** A value Fn::Join and Fn::Sub put into text: strings and numbers as they are. */
function scalarText(value: unknown, otherwise: () => never): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return otherwise();
}

function isListType(type: string): boolean {
  return type.startsWith('List<') || type === 'CommaDelimitedList';
}

/** AZ names assumed for a region: `<region>a` to `<region>f`. */
function azsOf(region: string): string[] {
  return ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => `${region}${s}`);
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
