import { describe, expect, it } from 'vitest'
import { withoutCdnRules } from '../build-tools/no-cdn.js'

const UNI_CSS =
  '.a{color:red}@keyframes shadow-preload{0%{background-image:url(https://cdn.dcloud.net.cn/img/shadow-grey.png)}to{background-image:url(https://cdn.dcloud.net.cn/img/shadow-grey.png)}}' +
  '.uni-page-head-shadow-grey:after{background-image:url(https://cdn.dcloud.net.cn/img/shadow-grey.png)}' +
  'body:after{position:fixed;content:"";left:-1000px;top:-1000px;animation:shadow-preload .1s;animation-delay:3s}' +
  '.b{margin:0}'

describe('the built CSS loads nothing from a CDN', () => {
  it('drops the shadow rules, their preload and its keyframes, and keeps the rest', () => {
    const css = withoutCdnRules(UNI_CSS)
    expect(css).not.toContain('dcloud.net.cn')
    expect(css).not.toContain('shadow-preload')
    expect(css).toBe('.a{color:red}.b{margin:0}')
  })
})
