/**
 * Route tables: which table a subnet uses (explicit association, else the VPC's main table)
 * and the longest-prefix match that picks a route.
 */
import { cidrMatches, parseCidr, symbolicBlock } from './address';
import type { IpValue, PrefixList, Route, RouteTable, RouteTarget } from './types';

// Which table a subnet uses lives with the other AWS rules (rules.ts); re-exported for callers.
export { findRouteTable, mainRouteTable, routeTableForSubnet, type SubnetRouteTable } from './rules';

/** A route chosen by longest-prefix match. */
export interface RouteMatch {
  /** The route as configured. */
  readonly route: Route;
  /** Its prefix length (the longer one wins). */
  readonly prefix: number;
}

/**
 * Longest-prefix match of a destination in a table, among the routes certain to hold it. An
 * address known only after deploy is held by the default route (0.0.0.0/0) and, when it is
 * symbolic (any address of a block), by every route holding the whole block; see
 * `uncertainRoute` for a longer route that may or may not hold it.
 */
export function lookupRoute(table: RouteTable, destination: IpValue, prefixLists?: readonly PrefixList[]): RouteMatch | undefined {
  let best: RouteMatch | undefined;
  for (const route of table.routes) {
    if (route.destinationKind === 'prefix-list') {
      // A route to a prefix list holds the destination when an entry does; its longest entry is its prefix.
      const prefix = prefixListMatch(prefixLists, route.destination, destination);
      if (prefix !== undefined && (!best || prefix > best.prefix)) best = { route, prefix };
      continue;
    }
    if (!isIpv4Route(route)) continue;
    const block = parseCidr(route.destination, `route table ${table.id} destination`);
    if (best && block.prefix <= best.prefix) continue;
    if (cidrMatches(block.text, destination) === true) best = { route, prefix: block.prefix };
  }
  return best;
}

/** The longest IPv4 entry of a known prefix list that holds the destination, as a prefix length. */
function prefixListMatch(prefixLists: readonly PrefixList[] | undefined, id: string, destination: IpValue): number | undefined {
  const list = prefixLists?.find((p) => p.id === id);
  if (!list || list.entriesKnown === false) return undefined;
  let best: number | undefined;
  for (const entry of list.cidrs) {
    if (entry.includes(':')) continue;
    const block = parseCidr(entry, `prefix list ${id} entry`);
    if ((best === undefined || block.prefix > best) && cidrMatches(block.text, destination) === true) best = block.prefix;
  }
  return best;
}

/** True for a route to a prefix list whose entries the topology does not hold. */
function toUnknownPrefixList(route: Route, prefixLists: readonly PrefixList[] | undefined): boolean {
  if (route.destinationKind !== 'prefix-list') return false;
  const list = prefixLists?.find((p) => p.id === route.destination);
  return !list || list.entriesKnown === false;
}

/**
 * A route to a prefix list whose entries the topology does not hold: it may hold any address,
 * so unless the VPC's own `local` route decides, the longest-prefix match cannot be told. A
 * gateway endpoint's route is the exception (see `assumedServiceRoute`).
 */
export function unknownPrefixListRoute(table: RouteTable, match: RouteMatch | undefined, prefixLists?: readonly PrefixList[]): Route | undefined {
  if (match?.route.target.kind === 'local') return undefined;
  return table.routes.find((r) => r.target.kind !== 'vpc-endpoint' && toUnknownPrefixList(r, prefixLists));
}

/**
 * A gateway endpoint's route to its service's prefix list (S3, DynamoDB) whose entries the
 * topology does not hold. The list holds only that AWS service's public ranges, so the walk
 * goes on as if the destination were not one of them and says so in the route hop (a template
 * cannot name the list's entries; every VPC with an S3 endpoint would otherwise leave the model).
 */
export function assumedServiceRoute(table: RouteTable, match: RouteMatch | undefined, prefixLists?: readonly PrefixList[]): Route | undefined {
  if (match?.route.target.kind === 'local') return undefined;
  return table.routes.find((r) => r.target.kind === 'vpc-endpoint' && toUnknownPrefixList(r, prefixLists));
}

/** True for a route to an IPv4 CIDR (IPv6 and prefix-list routes are carried, matched elsewhere). */
export function isIpv4Route(route: Route): boolean {
  return (route.destinationKind ?? 'ipv4') === 'ipv4';
}

/** A route target as people write it: "local", "igw-yyy", "blackhole", "pcx-1 (peering)". */
export function targetText(target: RouteTarget): string {
  switch (target.kind) {
    case 'local':
      return 'local';
    case 'blackhole':
      return 'blackhole';
    case 'other':
      return `${target.id} (${target.type})`;
    case 'igw':
    case 'nat':
    case 'eni':
    case 'instance':
      return target.id;
    default:
      return `${target.id} (${target.kind})`;
  }
}

/** A route as people write it: "0.0.0.0/0 -> nat-xxx". */
export function routeText(route: Route): string {
  return `${route.destination} -> ${targetText(route.target)}`;
}

/** What a route target kind is called in sentences. */
export function targetKindName(target: RouteTarget): string {
  switch (target.kind) {
    case 'peering':
      return 'VPC peering connection';
    case 'tgw':
      return 'transit gateway';
    case 'vgw':
      return 'virtual private gateway';
    case 'egress-only-igw':
      return 'egress-only internet gateway (IPv6 only)';
    case 'vpc-endpoint':
      return 'gateway endpoint';
    case 'eni':
      return 'network interface';
    case 'instance':
      return 'instance';
    case 'igw':
      return 'internet gateway';
    case 'nat':
      return 'NAT gateway';
    case 'other':
      return target.type;
    default:
      return target.kind;
  }
}

/**
 * A route longer than `prefix` that may or may not hold the destination (a symbolic address
 * whose block the route cuts): if one exists, the longest-prefix match cannot be decided.
 */
export function uncertainRoute(table: RouteTable, destination: IpValue, prefix: number): Route | undefined {
  // Only a symbolic address has a block a route can cut; any other deploy-time value (an
  // Elastic IP) is a public address, held by the default route alone.
  if (!symbolicBlock(destination)) return undefined;
  let best: RouteMatch | undefined;
  for (const route of table.routes) {
    if (!isIpv4Route(route)) continue;
    const block = parseCidr(route.destination, `route table ${table.id} destination`);
    if (block.prefix <= prefix || (best && block.prefix <= best.prefix)) continue;
    if (cidrMatches(block.text, destination) === 'unknown') best = { route, prefix: block.prefix };
  }
  return best?.route;
}
