/**
 * The one place that knows every component kind: it resolves a reference (`router:<vpc>`,
 * `nat:<id>`, `igw:<id>`, `internet`, `host:<id>`) to the component. Adding a kind is its file
 * plus one line in `DEFAULT_KINDS`; a caller may also add one (`registry.with(kind, make)`).
 */
import { InputError } from '../../errors';
import { isIpv4 } from '../address';
import type { Host, Topology } from '../types';
import type { Component, ComponentRef } from './component';
import { HostReceiver } from './host';
import { InternetGatewayComponent } from './internet-gateway';
import { Internet } from './internet';
import { NatGatewayComponent } from './nat-gateway';
import { VpcRouter } from './vpc-router';

/** Makes the component of one id (the part of the reference after the colon), or undefined when the topology has none. */
export type ComponentFactory = (id: string, topology: Topology) => Component | undefined;

/** A host on the internet the topology does not list, named by its address: it answers. */
function farHost(ip: string): Host {
  return { id: ip, kind: 'external', privateIp: ip, securityGroups: [] };
}

const DEFAULT_KINDS: Readonly<Record<string, ComponentFactory>> = {
  router: (vpc, t) => (t.vpcs.some((v) => v.id === vpc) ? new VpcRouter(vpc) : undefined),
  nat: (id, t) => {
    const nat = t.natGateways.find((n) => n.id === id);
    return nat && new NatGatewayComponent(nat);
  },
  igw: (id, t) => {
    const igw = t.internetGateways.find((g) => g.id === id);
    return igw && new InternetGatewayComponent(igw);
  },
  internet: () => new Internet(),
  host: (id, t) => {
    const host = t.hosts.find((h) => h.id === id) ?? (isIpv4(id) ? farHost(id) : undefined);
    return host && new HostReceiver(host);
  },
};

/** Splits a reference into its kind and id ("nat:nat-1" -> nat, nat-1; "internet" -> internet, ""). */
export function parseRef(ref: ComponentRef): { readonly kind: string; readonly id: string } {
  const colon = ref.indexOf(':');
  return colon < 0 ? { kind: ref, id: '' } : { kind: ref.slice(0, colon), id: ref.slice(colon + 1) };
}

/**
 * Component kinds by name, resolving references. Immutable: `with` returns a new registry.
 * Components hold no state of a walk, so each is made once per topology and reused.
 */
export class ComponentRegistry {
  private readonly made = new WeakMap<Topology, Map<ComponentRef, Component>>();

  constructor(private readonly kinds: Readonly<Record<string, ComponentFactory>> = DEFAULT_KINDS) {}

  /** A registry that also knows `kind`. */
  with(kind: string, make: ComponentFactory): ComponentRegistry {
    return new ComponentRegistry({ ...this.kinds, [kind]: make });
  }

  /** Whether references of this kind resolve. */
  has(kind: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.kinds, kind);
  }

  /** The component a reference names; an error (a bug, never bad input) when nothing does. */
  resolve(ref: ComponentRef, topology: Topology): Component {
    let made = this.made.get(topology);
    if (!made) {
      made = new Map();
      this.made.set(topology, made);
    }
    const known = made.get(ref);
    if (known) return known;
    const component = this.make(ref, topology);
    made.set(ref, component);
    return component;
  }

  private make(ref: ComponentRef, topology: Topology): Component {
    const { kind, id } = parseRef(ref);
    const make = this.has(kind) ? this.kinds[kind] : undefined;
    if (!make) throw new Error(`the walk forwarded to ${ref}, which no component kind resolves`);
    const component = make(id, topology);
    // A known kind whose resource the topology lacks is a dangling reference in the input, not a bug.
    if (!component) throw new InputError(`topology ${topology.name}: the walk reached ${ref}, which the topology does not hold (a reference to a resource the source did not include)`);
    return component;
  }
}

/** The registry of the model's own kinds. */
export const DEFAULT_REGISTRY = new ComponentRegistry();
