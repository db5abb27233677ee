/** Renderings of walks, predictions and runs: the article's diagram as SVG, an HTML page, Markdown. */
export { renderHtml } from './html';
export { renderMarkdown, sequenceDiagram } from './markdown';
export { layout } from './layout';
export { renderSvg, diagramToSvg } from './svg';
export { parseReportInput } from './input';
export type { ReportInput, WalkReport } from './view';
export type { AnyBox, Arrow, Box, BoxKind, Diagram } from './boxes';
export { renderFindings } from './findings';
