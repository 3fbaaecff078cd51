// Preloaded with `node --import` by the main-bundle test: installs hooks.mjs, which puts the
// electron STAND-IN in place of the real 'electron' module before the bundle is loaded.
// module.registerHooks where Node has it (22.15+, 24), module.register on Node 20.
import * as nodeModule from 'node:module'
import { resolve } from './hooks.mjs'

if (typeof nodeModule.registerHooks === 'function') nodeModule.registerHooks({ resolve })
else nodeModule.register('./hooks.mjs', import.meta.url)
