// uni-h5's stylesheet draws page-head shadows from cdn.dcloud.net.cn and preloads one 3 s after
// every page load: nothing may come from a CDN (an offline or mainland-China server cannot rely on
// it), and the shadows are unused here. Drop those rules from the built CSS.
export function withoutCdnRules(css) {
  return css
    .replace(/@keyframes shadow-preload\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, '')
    .replace(/[^{}]*\{[^{}]*animation:shadow-preload[^{}]*\}/g, '')
    .replace(/[^{}]*\{[^{}]*https?:\/\/cdn\.dcloud\.net\.cn[^{}]*\}/g, '')
}

export function noCdnCss() {
  return {
    name: 'fenxiao-no-cdn-css',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'asset' && file.fileName.endsWith('.css')) {
          file.source = withoutCdnRules(String(file.source))
        }
      }
    },
  }
}
