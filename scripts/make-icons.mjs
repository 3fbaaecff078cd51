#!/usr/bin/env node
// Renders build/icon.svg into every icon the three OSes need: icon.icns (macOS), icon.ico
// (Windows), icons/NxN.png (Linux) and icon.png (1024 px). Each size is rendered from the SVG
// itself (resvg), then packed into ICNS/ICO (@shockpkg/icon-encoder). Output is deterministic.
//
// Usage: node scripts/make-icons.mjs [output folder]   (npm run icons; default: build/)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { Resvg } from '@resvg/resvg-js'
import { IconIcns, IconIco } from '@shockpkg/icon-encoder'

/** Linux hicolor sizes, written as icons/NxN.png (electron-builder takes the size from the name). */
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
/** Windows ICO sizes: the shell's small, medium, large and jumbo views. */
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
/** macOS ICNS entries and their pixel sizes, in iconutil's order (the @2x types double a size). */
const ICNS_TYPES = [
  ['ic12', 64], // 32@2x
  ['ic07', 128],
  ['ic13', 256], // 128@2x
  ['ic08', 256],
  ['ic04', 16],
  ['ic14', 512], // 256@2x
  ['ic09', 512],
  ['ic05', 32],
  ['ic10', 1024], // 512@2x
  ['ic11', 32], // 16@2x
]

const root = resolve(import.meta.dirname, '..')
const out = resolve(process.argv[2] ?? join(root, 'build'))
const svg = readFileSync(join(root, 'build', 'icon.svg'))

const cache = new Map()
/** The SVG rendered at `size` px square, as PNG bytes. */
function render(size) {
  if (!cache.has(size)) {
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: size },
      font: { loadSystemFonts: false },
    })
    const image = resvg.render()
    if (image.width !== size || image.height !== size) {
      throw new Error(
        `icon.svg rendered at ${image.width}x${image.height}, not ${size}x${size}: keep it square`,
      )
    }
    cache.set(size, image.asPng())
  }
  return cache.get(size)
}

mkdirSync(join(out, 'icons'), { recursive: true })
for (const size of LINUX_SIZES)
  writeFileSync(join(out, 'icons', `${size}x${size}.png`), render(size))
writeFileSync(join(out, 'icon.png'), render(1024))

const ico = new IconIco()
// Largest first, as Windows' own icons are. `null`: bitmaps below 64 px (what old readers expect),
// PNG from 64 px up.
for (const size of [...ICO_SIZES].reverse()) await ico.addFromPng(render(size), null)
writeFileSync(join(out, 'icon.ico'), ico.encode())

const icns = new IconIcns()
icns.toc = true
for (const [type, size] of ICNS_TYPES) await icns.addFromPng(render(size), [type])
writeFileSync(join(out, 'icon.icns'), icns.encode())

process.stdout.write(`icons written to ${out}\n`)
