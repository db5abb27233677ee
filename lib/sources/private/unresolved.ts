/**
 * Values a source cannot know before deploy (an Elastic IP's address, an auto-assigned public
 * IP), written as `<where it comes from>`: the model's own helpers, re-exported for sources.
 */
export { isUnresolvedIp as isUnresolved, unresolvedIp } from '../../model/address';
