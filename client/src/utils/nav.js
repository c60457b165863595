import { computed } from 'vue'
import { store } from '../store/index.js'
import { apiOrigin } from './media.js'

export const TAB_PAGES = ['/pages/index/index', '/pages/category/index', '/pages/cart/index', '/pages/me/index']

export function go(url) {
  if (!url) return
  const path = url.split('?')[0]
  if (TAB_PAGES.includes(path)) uni.switchTab({ url: path })
  else uni.navigateTo({ url, fail: () => uni.redirectTo({ url }) })
}

export function replace(url) {
  const path = url.split('?')[0]
  if (TAB_PAGES.includes(path)) uni.switchTab({ url: path })
  else uni.redirectTo({ url })
}

// the shop's theme colour as a CSS variable on each page's root view (works in H5 and WeChat)
export const themeStyle = computed(() => `--fx-accent: ${store.theme};`)

// a new id per submitted form, so a double tap or a retry places one order
export function requestId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}

// the public origin of share links: the one /distributor/me names, else where we are served
export function shareOrigin(shareUrl) {
  if (shareUrl) return shareUrl.split('?')[0].split('#')[0].replace(/\/+$/, '')
  return apiOrigin()
}

export function productLink(origin, productId, code) {
  return `${origin}/products/${productId}${code ? `?ref=${encodeURIComponent(code)}` : ''}`
}
