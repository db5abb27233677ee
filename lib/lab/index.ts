/** The local twin: a Topology built from Linux namespaces and nftables, its flows sent for real and held against the model. */
export { planTwin, DEFAULT_NAT_PORT_RANGE, type TwinPlan, type TwinNamespace, type TwinLink, type TwinHost, type CapturePoint, type TwinTamper, type PlanOptions } from './plan';
export { applyPlan, teardownPrefix, cleanupLeftovers, listTwinNamespaces } from './apply';
export { runLab, teardownRun, type LabOptions, type LabOutcome, type ActiveRun } from './run';
export { runLabInterruptibly, LabInterrupted, type InterruptControls } from './interrupt';
export { runScale, modelScale, type ScaleOptions, type ScaleOutcome, type ScaleFigures } from './scale';
export { compareTwin, type FlowComparison, type HopObservation } from './compare';
export { renderLabText, renderScaleText } from './render';
export { chooseStandIns, assertTwinAddress, StandInMap } from './standins';
export { missingPrerequisites, assertTwinPrerequisites, INSTALL_HINT } from './prereq';
export { newRunPrefix, RUN_PREFIX_PATTERN } from './names';
