// Preloaded with `node --import` by the main-bundle test: installs hooks.mjs, which puts the
// electron STAND-IN in place of the real 'electron' module before the bundle is loaded.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
