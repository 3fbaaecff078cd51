// Where the window's page comes from: the app scheme always when packaged (ELECTRON_RENDERER_URL
// ignored), the dev server only in development, and a clear error for a malformed dev URL.
import { describe, expect, it } from 'vitest'
import { rendererSource } from '../../../../src-main/app/renderer-source'
import { isAppUrl } from '../../../../src-main/security'

describe('rendererSource', () => {
  it('packaged: the app scheme, whatever ELECTRON_RENDERER_URL says', () => {
    for (const devUrl of [undefined, '', 'http://localhost:5173/', 'https://evil.example/']) {
      const s = rendererSource({ packaged: true, devUrl })
      expect(s, String(devUrl)).toEqual({
        url: 'app://netns-studio/index.html',
        location: { kind: 'scheme', origin: 'app://netns-studio' },
        dev: false,
      })
    }
  })

  it('development without a dev URL: the app scheme too', () => {
    expect(rendererSource({ packaged: false }).url).toBe('app://netns-studio/index.html')
    expect(rendererSource({ packaged: false, devUrl: '' }).dev).toBe(false)
  })

  it('development with a dev URL: that page, and IPC accepts only its origin', () => {
    const s = rendererSource({ packaged: false, devUrl: 'http://localhost:5173' })
    expect(s).toEqual({
      url: 'http://localhost:5173/',
      location: { kind: 'url', origin: 'http://localhost:5173' },
      dev: true,
    })
    expect(isAppUrl('http://localhost:5173/', s.location)).toBe(true)
    expect(isAppUrl('app://netns-studio/index.html', s.location)).toBe(false)
  })

  it('a malformed dev URL is a clear error in development', () => {
    expect(() => rendererSource({ packaged: false, devUrl: 'not a url' })).toThrow(
      /ELECTRON_RENDERER_URL is not a URL/,
    )
    expect(() => rendererSource({ packaged: false, devUrl: 'file:///tmp/x.html' })).toThrow(
      /must be an http\(s\) URL/,
    )
    expect(() => rendererSource({ packaged: false, devUrl: 'http://u:p@localhost:5173/' })).toThrow(
      /without credentials/,
    )
  })
})
