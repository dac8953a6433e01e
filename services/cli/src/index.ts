/** @otptrace/cli: the otptrace command. */

export { analyzePaths, toJson } from './commands/analyze.js';
export { formatText } from './format-text.js';
export { main } from './main.js';
