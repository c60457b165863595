// uni-app build. The H5 build lives under /h5/ (served by fenxiao, whose own assets are under
// /static/); the mini-program reads its app id and API origin from FENXIAO_* at build time.
import fs from 'node:fs'
import path from 'node:path'
import { defineConfig } from 'vite'
import uniPlugin from '@dcloudio/vite-plugin-uni'
import { noCdnCss } from './build-tools/no-cdn.js'

const uni = uniPlugin.default || uniPlugin
const platform = process.env.UNI_PLATFORM || 'h5'
const isMp = platform.startsWith('mp-')
// H5 calls its own origin; the mini-program needs an absolute HTTPS origin.
const apiBase = isMp
  ? (process.env.FENXIAO_PUBLIC_BASE_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '') + '/api/v1'
  : '/api/v1'

// project.config.json is written by uni from manifest.json; set the app id there instead of
// editing the committed manifest.
function wechatAppId() {
  return {
    name: 'fenxiao-wechat-appid',
    apply: 'build',
    closeBundle() {
      if (platform !== 'mp-weixin') return
      const out = process.env.UNI_OUTPUT_DIR || path.resolve(__dirname, 'dist/build/mp-weixin')
      const file = path.join(out, 'project.config.json')
      if (!fs.existsSync(file)) return
      const config = JSON.parse(fs.readFileSync(file, 'utf8'))
      config.appid = process.env.FENXIAO_WECHAT_APPID || 'touristappid'
      config.projectname = 'fenxiao'
      fs.writeFileSync(file, JSON.stringify(config, null, 2))
    },
  }
}

export default defineConfig({
  base: isMp ? '/' : '/h5/',
  plugins: [uni(), wechatAppId(), noCdnCss()],
  define: {
    __API_BASE__: JSON.stringify(apiBase),
    __PUBLIC_BASE_URL__: JSON.stringify(
      (process.env.FENXIAO_PUBLIC_BASE_URL || '').replace(/\/+$/, ''),
    ),
  },
  build: { chunkSizeWarningLimit: 400 },
})
