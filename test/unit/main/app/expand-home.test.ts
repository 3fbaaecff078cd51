// The key path users type (`~/.ssh/id_ed25519`, what the SSH form suggests) reaches the file in
// their home folder; other paths are left as they are.

import { describe, expect, it } from 'vitest'
import { expandHome } from '../../../../src-main/app/targets'

describe('expandHome', () => {
  it('expands ~ and ~/ to the home folder', () => {
    expect(expandHome('~/.ssh/id_ed25519', '/home/ada')).toBe('/home/ada/.ssh/id_ed25519')
    expect(expandHome('~', '/home/ada')).toBe('/home/ada')
  })

  it('leaves absolute, relative and ~user paths alone', () => {
    for (const p of ['/root/.ssh/id_rsa', 'keys/id', '~bob/.ssh/id', './~/x'])
      expect(expandHome(p, '/home/ada')).toBe(p)
  })
})
