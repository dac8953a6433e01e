#!/usr/bin/env node
// Launcher of otptrace-correlator, kept outside dist/ so the bin link exists before the first build.
import '../dist/main.js';
