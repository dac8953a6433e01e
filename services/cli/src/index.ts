/** @otptrace/cli: the otptrace command. */

export { renderHtmlReport } from './commands/report-html.js';
export { formatText } from './format-text.js';
export { main } from './main.js';
