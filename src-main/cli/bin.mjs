#!/usr/bin/env node
// The `netns-studio` command: registers tsx's ESM loader (so the TypeScript sources run as they
// are in a clone, no build step) and runs src-main/cli/main.ts.

import process from 'node:process'
import { register } from 'tsx/esm/api'

const api = register({ namespace: 'netns-studio-cli' })
const { run } = await api.import('./main.ts', import.meta.url)
process.exit(await run(process.argv.slice(2)))
