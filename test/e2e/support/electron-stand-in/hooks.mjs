// Module resolve hook for the main-bundle test: the bare specifier 'electron' resolves to the
// STAND-IN (electron.mjs next to this file), since the Electron binary cannot run here. Every other
// specifier resolves as usual. Synchronous, so it serves both module.registerHooks (Node 22.15+,
// in-thread) and module.register (Node 20, off-thread).

import { URL } from 'node:url'

const standIn = new URL('./electron.mjs', import.meta.url).href

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(s: string, c: unknown) => unknown} nextResolve
 */
export function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: standIn, shortCircuit: true }
  return nextResolve(specifier, context)
}
