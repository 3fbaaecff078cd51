// Which proxy the catalog check uses, read like curl reads the environment.
import { describe, expect, it } from 'vitest'
import { noProxyMatches, parseProxy, proxyFor } from '../../../../shared/vm/proxy'

describe('proxy from the environment', () => {
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, either case, lower case first', () => {
    expect(proxyFor('https://vagrantcloud.com', { HTTPS_PROXY: 'http://p:3128' })?.display).toBe(
      'http://p:3128',
    )
    expect(
      proxyFor('https://vagrantcloud.com', { https_proxy: 'p1:8080', HTTPS_PROXY: 'p2:8080' })
        ?.host,
    ).toBe('p1')
    expect(proxyFor('http://boxes.lan/x', { http_proxy: 'p:80' })?.port).toBe(80)
    expect(proxyFor('http://boxes.lan/x', { HTTPS_PROXY: 'p:80' })).toBeNull()
    expect(proxyFor('https://vagrantcloud.com', { ALL_PROXY: 'socks5://s:1080' })?.protocol).toBe(
      'socks:',
    )
    expect(proxyFor('https://vagrantcloud.com', {})).toBeNull()
  })

  it('reads credentials for Proxy-Authorization but never shows them', () => {
    const p = parseProxy('http://us%40er:p%3Ass@proxy.corp:3128')
    expect(p).toMatchObject({ host: 'proxy.corp', port: 3128, auth: 'us@er:p:ss' })
    expect(p?.display).toBe('http://proxy.corp:3128')
    expect(parseProxy('proxy.corp')?.port).toBe(1080)
    expect(parseProxy('ftp://x')).toBeNull()
  })

  it('honours NO_PROXY: *, names, domain suffixes, leading dots, ports, IPs', () => {
    expect(noProxyMatches('*', 'vagrantcloud.com', 443)).toBe(true)
    expect(noProxyMatches('vagrantcloud.com', 'vagrantcloud.com', 443)).toBe(true)
    expect(noProxyMatches('vagrantcloud.com', 'app.vagrantcloud.com', 443)).toBe(true)
    expect(noProxyMatches('.vagrantcloud.com', 'vagrantcloud.com', 443)).toBe(true)
    expect(noProxyMatches('*.corp', 'boxes.corp', 443)).toBe(true)
    expect(noProxyMatches('cloud.com', 'vagrantcloud.com', 443)).toBe(false)
    expect(noProxyMatches('localhost, 127.0.0.1:8080', '127.0.0.1', 443)).toBe(false)
    expect(noProxyMatches('localhost, 127.0.0.1:8080', '127.0.0.1', 8080)).toBe(true)
    expect(
      proxyFor('https://127.0.0.1:4443', { HTTPS_PROXY: 'p:1', no_proxy: 'example.com,127.0.0.1' }),
    ).toBeNull()
  })
})
