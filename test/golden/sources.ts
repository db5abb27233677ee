/** Fixture topologies that come from code rather than files (the generated large VPC). */
import type { Topology } from '../../lib/model/types';
import { topologyFromTemplates } from '../../lib/sources/template';
import { largeVpcTemplate } from '../fixtures/templates/large-vpc';

/** A small instance of the generated large VPC (2 AZs, 2 hosts per subnet). */
export async function loadTemplateObjects(): Promise<Topology> {
  return topologyFromTemplates([{ file: 'large.json', stack: 'large', template: largeVpcTemplate({ azs: 2, hostsPerSubnet: 2 }) as never }]);
}
