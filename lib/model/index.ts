/** The model: pure TypeScript that walks a packet hop by hop through a VPC and predicts what the other end sees. */
export * from './types';
export * from './address';
export * from './hosts';
export * from './routing';
export * from './filters';
export * from './nat-table';
export { type Arrival, type Component, type ComponentRef, type Decision, type NatState, type Packet, type WalkTranslation, destinationText, echoIdentifier, endpointText, headerText, icmpMessageText, portText, protocolText, samePort, sourceText } from './components/component';
export { ANY_PORT, HostReceiver, HostSender } from './components/host';
export { NatGatewayComponent, natPortRange } from './components/nat-gateway';
export { InternetGatewayComponent } from './components/internet-gateway';
export { Internet } from './components/internet';
export * from './walk';
export * from './predict';
export * from './compare';
export * from './findings';
