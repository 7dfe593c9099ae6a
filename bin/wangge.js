#!/usr/bin/env node
// compiled by `npm install` (prepare -> tsc); see src/cli/main.ts
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
