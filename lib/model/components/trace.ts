/**
 * The recorder of one direction of a walk (the request, or its reply: each gets its own):
 * hops in order, with the article's step numbers given from the milestones components mark.
 */
import { articleStep } from '../article-steps';
import { NAT_PORT_RANGE } from '../rules';
import type { Header, Hop, HopAction, HopMatch, PortPrediction, Topology } from '../types';
import type { HopComponent, Milestone, NatState, Trace, WalkTranslation } from './component';

/** What the request leaves for its reply. */
export interface RequestMemory {
  /** Translations made by NAT Gateways. */
  readonly translations: WalkTranslation[];
  /** The source port a Lambda function bound. */
  lambdaPort?: PortPrediction;
  /**
   * Flows that share a NAT address, protocol and destination with this one (by `natPortKey`):
   * the NAT gives each its own port, so the range it predicts says so.
   */
  readonly distinctFrom?: ReadonlyMap<string, readonly string[]>;
}

/** The key of a NAT translation's port: NAT, its address, protocol and destination. */
export function natPortKey(nat: string, natIp: string, protocol: string, dstIp: string, dstPort: number): string {
  return `${nat}|${natIp}|${protocol}|${dstIp}|${dstPort}`;
}

/** The trace of one direction. */
export class DirectionTrace implements Trace {
  readonly hops: Hop[] = [];
  private step: number | undefined;

  constructor(
    readonly topology: Topology,
    readonly isReply: boolean,
    readonly nat: NatState | undefined,
    /** What the request keeps (written by the request, read by its reply). */
    private readonly memory: RequestMemory,
    /** Whether hops get article step numbers (walks that start at a VPC host). */
    private readonly stepsEnabled: boolean,
    /** False when only the walk's end is wanted: no hop is kept. */
    private readonly keepHops: boolean,
    private readonly kinds: (kind: string) => boolean,
    /** The port range NAT gateways choose from. */
    readonly natPortRange: { readonly min: number; readonly max: number } = NAT_PORT_RANGE,
  ) {}

  get keepsHops(): boolean {
    return this.keepHops;
  }

  get translations(): readonly WalkTranslation[] {
    return this.memory.translations;
  }

  get lambdaPort(): PortPrediction | undefined {
    return this.memory.lambdaPort;
  }

  keepTranslation(translation: WalkTranslation): void {
    if (!this.isReply) this.memory.translations.push(translation);
  }

  distinctFrom(key: string): readonly string[] | undefined {
    return this.memory.distinctFrom?.get(key);
  }

  keepLambdaPort(port: PortPrediction): void {
    if (!this.isReply) this.memory.lambdaPort = port;
  }

  knows(kind: string): boolean {
    return this.kinds(kind);
  }

  mark(milestone: Milestone): void {
    if (this.stepsEnabled) this.step = articleStep(this.step, milestone, this.isReply);
  }

  /** The last hop recorded, if any. */
  get last(): Hop | undefined {
    return this.hops[this.hops.length - 1];
  }

  record(component: HopComponent, action: HopAction, detail: string, before: Header, after: Header = before, matched?: string, match?: HopMatch): void {
    if (!this.keepHops) return;
    // One object literal with a fixed shape (absent fields left undefined, which JSON omits)
    // rather than conditional spreads: a findings run records about a million hops.
    const hop: Hop = {
      index: this.hops.length + 1,
      step: this.step,
      component: { id: component.id, kind: component.kind, name: component.name, side: component.side },
      action,
      detail,
      matched,
      before,
      after,
      match,
    };
    this.hops.push(hop);
  }
}
