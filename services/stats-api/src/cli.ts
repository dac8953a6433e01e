// Entry point: `node services/stats-api/dist/cli.js [--config FILE] [--print-config] [--help]`.
import { main } from './main.js';

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
