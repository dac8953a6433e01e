#!/usr/bin/env node
// Launcher of otptrace-collector, kept outside dist/ so the bin link exists before the first build.
import '../dist/main.js';
