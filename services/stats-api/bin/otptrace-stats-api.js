#!/usr/bin/env node
// Launcher of otptrace-stats-api, kept outside dist/ so the bin link exists before the first build.
import '../dist/cli.js';
